#pragma once
// Checking test files without running them (`clnrm validate`, and a program
// embedding the library): every file parsed, cleanroom.toml checked like a
// test file, the project's [vars] and security_level applied as in a run,
// and tests of one name in different files warned about. run_suite parses
// its inputs with the same per-file rule (parse_project_test_file).

#include <clnrm/parser.h>
#include <clnrm/project_config.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace clnrm {

// `options` with the project's [vars] as ParseOptions::project_vars when the
// caller gave none (a caller's own project_vars win).
ParseOptions with_project_vars(ParseOptions options, const std::optional<ProjectConfig>& project);

// parse_test_file, then the project's security_level (apply_project_security_level):
// a test below it gets that error appended to its diagnostics and no spec.
// `options` are used as given (with_project_vars is the caller's step).
ParseResult parse_project_test_file(const std::string& file, const ParseOptions& options,
                                    const std::optional<ProjectConfig>& project);

struct ValidateOptions {
  ParseOptions parse;  // project_vars: the project's [vars] when empty
  // The cleanroom.toml to check and apply (the caller locates it); none: no project.
  std::optional<std::string> project_config;
  unsigned jobs = 0;    // files parsed in parallel; 0: one per CPU
  bool strict = false;  // a warning makes its file invalid (a CI gate)
};

// One checked file.
struct FileValidation {
  std::string file;
  bool project_config = false;  // the cleanroom.toml, not a test file
  // The parser's (or the project config check's) diagnostics, then the
  // project's security_level error, if any.
  std::vector<Diagnostic> diagnostics;
  // "test name 'x' is also used by f:l:c, ..." (a warning) when another
  // file's test has this one's name.
  std::optional<Diagnostic> duplicate_name;
  bool read = false;   // no error: the test was read (allowed by the project's level), or the config
  bool valid = false;  // read, and under `strict` without a warning
  std::size_t errors = 0, warnings = 0;  // warnings count duplicate_name
  // A test read: its name (where written) and sizes.
  std::string name;
  SourcePos name_pos;
  std::size_t steps = 0, scenarios = 0, services = 0;
};

struct Validation {
  std::vector<FileValidation> files;  // the cleanroom.toml first when given, then the test files in order
  std::size_t valid = 0, errors = 0, warnings = 0;
  bool ok() const noexcept { return valid == files.size(); }
};

// Checks `files` (select_test_files' choice; the caller says when there is
// none) on ValidateOptions::jobs threads; the answer is in file order. Never
// throws for a bad file: an unreadable one is a diagnostic.
Validation validate_suite(const std::vector<std::string>& files, const ValidateOptions& options);

}  // namespace clnrm
