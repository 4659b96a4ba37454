// `clnrm validate PATH...`: parse every *.clnrm.toml under the paths and
// report all problems. Exit 0 when all are valid, 1 when any is invalid,
// 2 on usage errors (a path that does not exist, no test files found). The
// checking is the library's (include/clnrm/validate.h); this is its flags
// and its text.
#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <clnrm/validate.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/project_settings.h"
#include "cli/template_flags.h"

namespace clnrm::cli {
namespace {

struct ValidateFlags {
  std::vector<std::string> paths;
  std::string format = "human";
  bool verbose = false;
  unsigned jobs = 0;      // 0 = one per CPU
  bool strict = false;    // warnings make a file invalid (CI gate)
  bool upstream = false;  // keys clnrm does not act on: warnings, not errors
  ConfigFlags config;
  TemplateFlags templates;
};

const char* severity_name(Diagnostic::Severity s) {
  return s == Diagnostic::Severity::Error ? "error" : "warning";
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

nlohmann::json diagnostic_json(const Diagnostic& d) {
  return {{"severity", severity_name(d.severity)},
          {"line", d.pos.line},
          {"column", d.pos.column},
          {"message", d.message},
          {"formatted", d.format()}};
}

// A duplicate name's warning comes last in JSON, first in the text.
nlohmann::json file_json(const FileValidation& v) {
  nlohmann::json diags = nlohmann::json::array();
  for (const Diagnostic& d : v.diagnostics) diags.push_back(diagnostic_json(d));
  if (v.duplicate_name) diags.push_back(diagnostic_json(*v.duplicate_name));
  nlohmann::json out = {{"file", v.file}, {"valid", v.valid}, {"diagnostics", std::move(diags)}};
  if (v.project_config) {
    out["kind"] = "project_config";
  } else if (v.read) {
    out["name"] = v.name;
    out["steps"] = v.steps;
    out["scenarios"] = v.scenarios;
    out["services"] = v.services;
  }
  return out;
}

void print_file(const FileValidation& v, bool verbose) {
  std::string text;
  if (v.duplicate_name) text += v.duplicate_name->format() + "\n";
  for (const Diagnostic& d : v.diagnostics) text += d.format() + "\n";
  if (v.project_config) {
    if (v.valid && verbose) text += fmt::format("ok: {} (project settings)\n", v.file);
  } else if (v.read && verbose) {
    text += fmt::format("ok: {} ('{}': {}, {}, {})\n", v.file, v.name, plural(v.steps, "step"),
                        plural(v.scenarios, "scenario"), plural(v.services, "service"));
  }
  if (!text.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
}

int run_validate(const ValidateFlags& flags) {
  // Every file, also those under `failing/`: they are valid tests that fail.
  const std::vector<std::string> files = select_test_files(flags.paths, /*include_failing=*/true);
  if (files.empty())
    throw Error(ErrorKind::Usage, fmt::format("no *.clnrm.toml files found under {}",
                                              fmt::join(flags.paths, ", ")));

  const ConfigLocation config = locate_project_config(flags.config);
  if (flags.verbose && flags.format != "json") std::printf("%s\n", config.note.c_str());
  ValidateOptions options;
  options.project_config = config.path;
  options.jobs = flags.jobs;
  options.strict = flags.strict;
  options.parse.upstream = flags.upstream;
  apply_template_flags(flags.templates, options.parse);
  const Validation result = validate_suite(files, options);

  const std::size_t n = result.files.size();
  if (flags.format == "json") {
    nlohmann::json out_files = nlohmann::json::array();
    for (const FileValidation& v : result.files) out_files.push_back(file_json(v));
    nlohmann::json doc = {{"project_config", config.path ? nlohmann::json(*config.path)
                                                        : nlohmann::json(nullptr)},
                          {"files", std::move(out_files)},
                          {"summary",
                           {{"files", n},
                            {"valid", result.valid},
                            {"invalid", n - result.valid},
                            {"errors", result.errors},
                            {"warnings", result.warnings}}}};
    const std::string text = doc.dump(2);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    for (const FileValidation& v : result.files) print_file(v, flags.verbose);
    std::printf("validated %s: %zu valid, %zu invalid (%s, %s)\n", plural(n, "file").c_str(), result.valid,
                n - result.valid, plural(result.errors, "error").c_str(), plural(result.warnings, "warning").c_str());
  }
  std::fflush(stdout);
  return result.ok() ? 0 : 1;
}

}  // namespace

void add_validate_command(CLI::App& app, CliContext& ctx) {
  auto options = std::make_shared<ValidateFlags>();
  auto* cmd = app.add_subcommand("validate", "Check *.clnrm.toml files without running them");
  cmd->add_option("paths", options->paths,
                  "Test files or directories (searched recursively for *.clnrm.toml)")
      ->required();
  cmd->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"human", "json"}));
  cmd->add_flag("-v,--verbose", options->verbose, "Also list the valid files");
  cmd->add_option("-j,--jobs", options->jobs, "Files parsed in parallel (default: one per CPU)")
      ->check(CLI::Range(1u, 256u));
  cmd->add_flag("--strict", options->strict,
                "Treat warnings (keys ignored under --upstream, duplicate test names) as failures");
  add_template_flags(*cmd, options->templates);
  cmd->add_flag("--upstream", options->upstream,
                "Accept upstream clnrm's files: keys clnrm does not act on (upstream's own, or "
                "unknown keys, which upstream ignores) are warnings naming them, not errors");
  add_config_flags(*cmd, options->config);
  cmd->callback([&ctx, options] { ctx.exit_code = run_validate(*options); });
}

}  // namespace clnrm::cli
