#pragma once
// *.clnrm.toml -> TestSpec, with file:line:col diagnostics.

#include <clnrm/spec.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clnrm {

struct ParseResult {
  std::optional<TestSpec> spec;          // set when there are no errors
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in file order
  bool ok() const { return spec.has_value(); }
};

// Parses TOML text. `file` is only used in diagnostics and TestSpec::file.
ParseResult parse_test_text(std::string_view text, const std::string& file);
// Reads and parses a file; an unreadable file is a diagnostic, not an exception.
ParseResult parse_test_file(const std::string& path);

// Every *.clnrm.toml under the given files/directories (recursive), sorted.
// A path that does not exist throws Error(Usage).
std::vector<std::string> discover_test_files(const std::vector<std::string>& paths);

}  // namespace clnrm
