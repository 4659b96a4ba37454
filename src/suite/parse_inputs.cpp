#include "suite/parse_inputs.h"

#include <clnrm/validate.h>
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
  // The rule `clnrm validate` checks by (include/clnrm/validate.h).
  const ParseOptions with_project = with_project_vars(options, project);
  for (const std::string& file : files) {
    ParseResult parsed = parse_project_test_file(file, with_project, project);
    for (const Diagnostic& d : parsed.diagnostics) observer.diagnostic(d);
    if (!parsed.ok()) {
      for (const Diagnostic& d : parsed.diagnostics)
        if (d.severity == Diagnostic::Severity::Error && d.kind == DiagnosticKind::UnknownKey)
          out.unknown_keys = true;
      out.invalid.push_back(invalid_file_result(file, parsed.diagnostics));
      continue;
    }
    out.names.push_back({parsed.spec->name, parsed.spec->file, parsed.name_pos});
    out.tests.push_back(std::move(*parsed.spec));
  }
  return out;
}

}  // namespace clnrm::suite
