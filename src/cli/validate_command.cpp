// `clnrm validate PATH...`: parse every *.clnrm.toml under the paths and
// report all problems. Exit 0 when all are valid, 1 when any is invalid,
// 2 on usage errors (a path that does not exist, no test files found).
#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/project_settings.h"
#include "cli/template_flags.h"

namespace clnrm::cli {
namespace {

struct ValidateOptions {
  std::vector<std::string> paths;
  std::string format = "human";
  bool verbose = false;
  unsigned jobs = 0;      // 0 = one per CPU
  bool strict = false;    // warnings make a file invalid (CI gate)
  bool upstream = false;  // keys clnrm does not act on: warnings, not errors
  ConfigFlags config;
  TemplateFlags templates;
  std::optional<ProjectConfig> project;  // the valid cleanroom.toml in use, if any
  ParseOptions parse;                    // made from the above before any file is read
};

// What one file contributes to the output; computed by a worker thread so the
// parsed spec (with its compiled regexes) is freed right away.
struct FileReport {
  std::string text;     // human format
  nlohmann::json json;  // json format
  bool valid = false;
  std::size_t errors = 0, warnings = 0;
  std::string name;  // the test's name when parsed, for the duplicate-name check
  SourcePos name_pos;
};

const char* severity_name(Diagnostic::Severity s) {
  return s == Diagnostic::Severity::Error ? "error" : "warning";
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// One report for a list of diagnostics (a test file's or cleanroom.toml's).
void add_diagnostics(FileReport& report, const std::string& file,
                     const std::vector<Diagnostic>& diagnostics, bool ok,
                     const ValidateOptions& options) {
  for (const Diagnostic& d : diagnostics)
    (d.severity == Diagnostic::Severity::Error ? report.errors : report.warnings)++;
  report.valid = ok && !(options.strict && report.warnings > 0);
  if (options.format == "json") {
    nlohmann::json diags = nlohmann::json::array();
    for (const Diagnostic& d : diagnostics)
      diags.push_back({{"severity", severity_name(d.severity)},
                       {"line", d.pos.line},
                       {"column", d.pos.column},
                       {"message", d.message},
                       {"formatted", d.format()}});
    report.json = {{"file", file}, {"valid", report.valid}, {"diagnostics", std::move(diags)}};
  } else {
    for (const Diagnostic& d : diagnostics) {
      report.text += d.format();
      report.text += '\n';
    }
  }
}

// cleanroom.toml is checked like a test file and counted with them.
FileReport project_config_report(const std::string& file, const ProjectConfigCheck& c,
                                 const ValidateOptions& options) {
  FileReport report;
  add_diagnostics(report, file, c.diagnostics, c.ok(), options);
  if (options.format == "json")
    report.json["kind"] = "project_config";
  else if (report.valid && options.verbose)
    report.text += fmt::format("ok: {} (project settings)\n", file);
  return report;
}

FileReport check_file(const std::string& file, const ValidateOptions& options) {
  ParseResult r = parse_test_file(file, options.parse);
  // The project's security_level: a test below it is invalid (as in `clnrm run`).
  if (r.ok() && options.project)
    if (std::optional<Diagnostic> d = apply_project_security_level(*options.project, *r.spec)) {
      r.diagnostics.push_back(std::move(*d));
      r.spec.reset();
    }
  FileReport report;
  add_diagnostics(report, file, r.diagnostics, r.ok(), options);
  if (r.ok()) {
    report.name = r.spec->name;
    report.name_pos = r.name_pos;
  }
  if (options.format == "json") {
    if (r.ok()) {
      report.json["name"] = r.spec->name;
      report.json["steps"] = r.spec->steps.size();
      report.json["scenarios"] = r.spec->scenarios.size();
      report.json["services"] = r.spec->services.size();
    }
  } else {
    if (r.ok() && options.verbose)
      report.text += fmt::format(
          "ok: {} ('{}': {}, {}, {})\n", file, r.spec->name, plural(r.spec->steps.size(), "step"),
          plural(r.spec->scenarios.size(), "scenario"), plural(r.spec->services.size(), "service"));
  }
  return report;
}

// Parses files on `jobs` threads; reports come back in file order.
std::vector<FileReport> check_files(const std::vector<std::string>& files,
                                    const ValidateOptions& options) {
  std::vector<FileReport> reports(files.size());
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, files.size()));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++)
      reports[i] = check_file(files[i], options);
  };
  {
    std::vector<std::jthread> workers;
    for (unsigned j = 1; j < jobs; ++j) workers.emplace_back(work);
    work();
  }  // all workers joined: `reports` is complete and no longer shared
  return reports;
}

int run_validate(ValidateOptions& options) {
  // Every file, also those under `failing/`: they are valid tests that fail.
  std::vector<std::string> files = select_test_files(options.paths, /*include_failing=*/true);
  if (files.empty())
    throw Error(ErrorKind::Usage, fmt::format("no *.clnrm.toml files found under {}",
                                              fmt::join(options.paths, ", ")));

  const ConfigLocation config = locate_project_config(options.config);
  if (options.verbose && options.format != "json") std::printf("%s\n", config.note.c_str());
  std::optional<FileReport> config_report;
  if (config.path) {
    ProjectConfigCheck c = check_project_config_file(*config.path);
    config_report = project_config_report(*config.path, c, options);
    options.project = std::move(c.config);
  }
  options.parse.upstream = options.upstream;
  apply_template_flags(options.templates, options.parse);
  if (options.project) options.parse.project_vars = options.project->vars;

  std::vector<FileReport> reports = check_files(files, options);
  if (config_report) {
    reports.insert(reports.begin(), std::move(*config_report));
    files.insert(files.begin(), *config.path);
  }
  std::size_t valid = 0, errors = 0, warnings = 0;
  for (const FileReport& r : reports) {
    valid += r.valid;
    errors += r.errors;
    warnings += r.warnings;
  }
  // Tests of one name in different files: legal (reports key tests by file
  // and name) but easy to confuse, so each is a warning naming the other.
  std::vector<TestNameUse> names;
  std::vector<std::size_t> report_of;  // names[k] is reports[report_of[k]]'s
  for (std::size_t i = 0; i < reports.size(); ++i)
    if (!reports[i].name.empty()) {
      names.push_back({reports[i].name, files[i], reports[i].name_pos});
      report_of.push_back(i);
    }
  for (const DuplicateName& duplicate : find_duplicate_names(names)) {
    const std::string& name = duplicate.name;
    std::vector<std::size_t> indices;
    for (std::size_t k : duplicate.uses) indices.push_back(report_of[k]);
    for (std::size_t i : indices) {
      std::vector<std::string> others;
      for (std::size_t j : indices)
        if (j != i)
          others.push_back(fmt::format("{}:{}:{}", files[j], reports[j].name_pos.line,
                                       reports[j].name_pos.column));
      Diagnostic d{Diagnostic::Severity::Warning, files[i], reports[i].name_pos,
                   fmt::format("test name '{}' is also used by {}", name, fmt::join(others, ", "))};
      FileReport& r = reports[i];
      ++r.warnings;
      ++warnings;
      if (options.strict && r.valid) {
        r.valid = false;
        --valid;
      }
      if (options.format == "json") {
        r.json["valid"] = r.valid;
        r.json["diagnostics"].push_back({{"severity", "warning"},
                                         {"line", d.pos.line},
                                         {"column", d.pos.column},
                                         {"message", d.message},
                                         {"formatted", d.format()}});
      } else {
        r.text = d.format() + "\n" + r.text;
      }
    }
  }
  if (options.format == "json") {
    nlohmann::json out_files = nlohmann::json::array();
    for (FileReport& r : reports) out_files.push_back(std::move(r.json));
    nlohmann::json doc = {{"project_config", config.path ? nlohmann::json(*config.path)
                                                        : nlohmann::json(nullptr)},
                          {"files", std::move(out_files)},
                          {"summary",
                           {{"files", files.size()},
                            {"valid", valid},
                            {"invalid", files.size() - valid},
                            {"errors", errors},
                            {"warnings", warnings}}}};
    const std::string text = doc.dump(2);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    for (const FileReport& r : reports)
      if (!r.text.empty()) std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::printf("validated %s: %zu valid, %zu invalid (%s, %s)\n",
                plural(files.size(), "file").c_str(), valid, files.size() - valid,
                plural(errors, "error").c_str(), plural(warnings, "warning").c_str());
  }
  std::fflush(stdout);
  return valid == files.size() ? 0 : 1;
}

}  // namespace

void add_validate_command(CLI::App& app, CliContext& ctx) {
  auto options = std::make_shared<ValidateOptions>();
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
