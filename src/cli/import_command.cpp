// `clnrm import compose FILE [-o OUT] [--force] [--service NAME ...]`: a
// docker-compose.yml's services as a clnrm test file (include/clnrm/compose.h;
// docs/running-tests.md, "Importing a compose file"). The test file goes to
// standard output or OUT (written atomically, never over an existing file
// without --force); each key not translated is one line on stderr,
// `FILE:LINE: service 'x': key 'y' not translated: why`.
#include <clnrm/compose.h>
#include <clnrm/error.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "base/atomic_file.h"
#include "cli/commands.h"

namespace clnrm::cli {
namespace {

struct ComposeFlags {
  std::string file;
  std::string output;
  bool force = false;
  std::vector<std::string> services;
};

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

int import_compose_command(const ComposeFlags& f) {
  if (!f.output.empty() && !f.force && exists(f.output))
    throw Error(ErrorKind::Usage, "exists; refusing to overwrite it (--force replaces it)", f.output);
  ComposeImportOptions options;
  options.file = f.file;
  options.output_path = f.output;
  options.services = f.services;
  const ComposeImport result = import_compose_file(options);
  for (const ComposeNote& n : result.not_translated) std::fprintf(stderr, "%s\n", n.format().c_str());
  if (f.output.empty()) {
    std::fwrite(result.toml.data(), 1, result.toml.size(), stdout);
    std::fflush(stdout);
  } else if (f.force) {
    write_file_atomically(f.output, result.toml);
  } else {
    write_new_file_atomically(f.output, result.toml);
  }
  std::fprintf(stderr, "clnrm: %s: %zu service(s) translated, %zu key(s) not translated%s\n", f.file.c_str(),
               result.services.size(), result.not_translated.size(),
               f.output.empty() ? "" : fmt::format("; wrote {}", f.output).c_str());
  return 0;
}

}  // namespace

void add_import_command(CLI::App& app, CliContext& ctx) {
  auto* import = app.add_subcommand("import", "Translate files of other tools into clnrm test files");
  import->require_subcommand(1);
  auto flags = std::make_shared<ComposeFlags>();
  auto* compose = import->add_subcommand(
      "compose", "A docker-compose.yml's services as a clnrm test file (what is not translated goes to stderr)");
  compose->add_option("FILE", flags->file, "The compose file")->required();
  compose->add_option("-o,--output", flags->output, "Write the test file here (default: standard output)");
  compose->add_flag("--force", flags->force, "Replace OUT when it exists");
  compose->add_option("--service", flags->services,
                      "Only this service and the ones it depends on (repeatable; default: every service)")
      ->allow_extra_args(false);
  compose->callback([&ctx, flags] { ctx.exit_code = import_compose_command(*flags); });
}

}  // namespace clnrm::cli
