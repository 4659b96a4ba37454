// `clnrm init`: a starter tests/basic.clnrm.toml and cleanroom.toml that work
// as written on the default (sandbox) backend: no images, only sh and echo.
#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "base/atomic_file.h"
#include "cli/commands.h"

namespace clnrm::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBasicTest =
    R"(# A first clnrm test: each step runs in a fresh, isolated cleanroom.
# Check it with `clnrm validate tests/` and run it with `clnrm run tests/`.
# Reference of every key: docs/test-file-reference.md

[test.metadata]
name = "basic"
description = "Runs commands in a cleanroom and checks their output"
timeout = "30s"

[[steps]]
name = "hello"
command = ["echo", "Hello from the cleanroom"]
expected_output_regex = "Hello from the cleanroom"

[[steps]]
name = "pipeline"
command = "echo one two three | wc -w"   # a string runs with sh -c
expected_output_regex = "^\\s*3\\s*$"

[[steps]]
name = "scratch_files"
command = ["sh", "-c", "echo data > /tmp/scratch.txt && cat /tmp/scratch.txt"]
expected_output_regex = "(?m)^data$"   # (?m): ^ and $ match at line ends

[[steps]]
name = "expected_failure"
command = ["sh", "-c", "echo 'something went wrong' >&2; exit 3"]
expected_exit_code = 3
expected_stderr_regex = "went wrong"
expected_output_regex_not = "."

[policy]
security_level = "medium"
)";

std::string project_config_text(const std::string& name) {
  return fmt::format(R"(# clnrm project settings (docs/test-file-reference.md, "cleanroom.toml").
# clnrm run/validate/health/services/cleanup read it from this directory and
# every directory below; flags on the command line win over [defaults].
[project]
name = "{}"

[defaults]
backend = "auto"          # auto | sandbox | docker
jobs = 4
security_level = "medium" # low | medium | high
timeout = "60s"

[images]
# Map image names used in tests to local images, e.g. for offline mirrors:
# "alpine:latest" = "clnrm-test/busybox"
)",
                     name);
}

struct InitOptions {
  std::string dir = ".";
  bool force = false;
};

// Without --force the file must not exist, not even as a dangling symbolic
// link: write_new_file_atomically never replaces or writes through what
// appears at the path after the check in run_init (src/base/atomic_file.h).
void write_file(const fs::path& path, std::string_view text, bool force) {
  if (force) write_file_atomically(path.string(), text);
  else write_new_file_atomically(path.string(), text);
}

// Something at `p`: a file, a directory, or a symbolic link (dangling too).
bool something_at(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

int run_init(const InitOptions& options) {
  const fs::path root(options.dir);
  const fs::path test_file = root / "tests" / "basic.clnrm.toml";
  const fs::path config_file = root / "cleanroom.toml";
  if (!options.force) {
    for (const fs::path& p : {test_file, config_file})
      if (something_at(p))
        throw Error(ErrorKind::Usage,
                    fmt::format("{} already exists; use --force to overwrite it", p.string()));
  }
  std::error_code ec;
  fs::create_directories(root / "tests", ec);
  if (ec)
    throw Error(ErrorKind::Io,
                fmt::format("cannot create {}: {}", (root / "tests").string(), ec.message()));
  std::string name = fs::absolute(root, ec).lexically_normal().filename().string();
  if (name.empty())
    name = fs::absolute(root, ec).lexically_normal().parent_path().filename().string();
  if (name.empty()) name = "cleanroom-project";
  write_file(test_file, kBasicTest, options.force);
  write_file(config_file, project_config_text(name), options.force);
  std::printf("created %s\ncreated %s\nnext: clnrm validate %s && clnrm run %s\n",
              test_file.c_str(), config_file.c_str(), (root / "tests").c_str(),
              (root / "tests").c_str());
  return 0;
}

}  // namespace

void add_init_command(CLI::App& app, CliContext& ctx) {
  auto options = std::make_shared<InitOptions>();
  auto* cmd = app.add_subcommand("init", "Create tests/basic.clnrm.toml and cleanroom.toml");
  cmd->add_option("--dir", options->dir, "Project directory (default: the current directory)");
  cmd->add_flag("-f,--force", options->force, "Overwrite existing files");
  cmd->callback([&ctx, options] { ctx.exit_code = run_init(*options); });
}

}  // namespace clnrm::cli
