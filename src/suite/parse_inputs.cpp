#include "suite/parse_inputs.h"

#include <fmt/format.h>

#include <chrono>

namespace clnrm::suite {

TestResult invalid_file_result(const std::string& file, const std::vector<Diagnostic>& diagnostics) {
  TestResult t;
  t.file = file;
  t.name = file;  // the name is inside the file that could not be read
  t.status = Status::Error;
  t.started = std::chrono::system_clock::now();
  std::size_t errors = 0;
  std::string lines;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity != Diagnostic::Severity::Error) continue;
    ++errors;
    lines += "\n" + d.format();
  }
  t.message = fmt::format("invalid test file, not run ({} error{}):{}", errors,
                          errors == 1 ? "" : "s", lines);
  return t;
}

ParsedInputs parse_inputs(const std::vector<std::string>& files, const ParseOptions& options,
                          const std::optional<ProjectConfig>& project, SuiteObserver& observer) {
  ParsedInputs out;
  out.tests.reserve(files.size());
  ParseOptions with_project = options;
  if (project && with_project.project_vars.empty()) with_project.project_vars = project->vars;
  for (const std::string& file : files) {
    ParseResult parsed = parse_test_file(file, with_project);
    for (const Diagnostic& d : parsed.diagnostics) observer.diagnostic(d);
    if (!parsed.ok()) {
      for (const Diagnostic& d : parsed.diagnostics)
        if (d.severity == Diagnostic::Severity::Error && d.kind == DiagnosticKind::UnknownKey)
          out.unknown_keys = true;
      out.invalid.push_back(invalid_file_result(file, parsed.diagnostics));
      continue;
    }
    if (project)
      if (std::optional<Diagnostic> d = apply_project_security_level(*project, *parsed.spec)) {
        observer.diagnostic(*d);
        out.invalid.push_back(invalid_file_result(file, {*d}));
        continue;
      }
    out.names.push_back({parsed.spec->name, parsed.spec->file, parsed.name_pos});
    out.tests.push_back(std::move(*parsed.spec));
  }
  return out;
}

}  // namespace clnrm::suite
