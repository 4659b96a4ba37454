#pragma once
// *.clnrm.toml -> TestSpec, with file:line:col diagnostics.

#include <clnrm/spec.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clnrm {

struct ParseResult {
  std::optional<TestSpec> spec;          // set when there are no errors
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in file order
  SourcePos name_pos;                    // where the test's name is written (duplicate names)
  bool ok() const { return spec.has_value(); }
};

struct ParseOptions {
  // `--upstream`: a key clnrm does not act on (one upstream clnrm has, or any
  // unknown key, which upstream's parser ignores) is a warning naming it
  // instead of an error. Off: every such key is an error.
  bool upstream = false;
  // Variables from outside the file for {{ ... }}, as text by flattened name
  // ("db.host", "hosts.0"). `project_vars` (cleanroom.toml's [vars]; run_suite
  // and validate fill it from the project) are defaults the file's own [vars]
  // override; `cli_vars` (--var NAME=VALUE) override both.
  std::map<std::string, std::string> project_vars;
  std::map<std::string, std::string> cli_vars;
  // The runner's environment variables a file may read as {{ env.NAME }}
  // (--allow-env NAME): name -> value, nullopt when not set. A test file is
  // untrusted input: {{ env.X }} for any other X is an error, so no file
  // reads a runner's secret unless the runner named it.
  std::map<std::string, std::optional<std::string>> allowed_env;
  // Whether the TestSpec keeps each regex compiled (Pattern::re). Every
  // pattern is checked either way, so a bad one is an error at its position;
  // false leaves Pattern::re null, for callers that only check a file and
  // never match (validate_suite): ~1.3 KB less per regex held until the spec
  // is freed, and a plain literal ("^ready$", no metacharacter: RE2 always
  // accepts it) is not compiled at all.
  bool keep_patterns = true;
};

// The names templates may use (one rule for test files and the flags that
// set or allow them): a variable is dotted words of letters, digits, '_' and
// '-' ("port", "db.host", "hosts.0": [vars] tables and arrays flatten so);
// an environment variable ({{ env.NAME }}, --allow-env) letters, digits and
// '_', not starting with a digit.
bool is_variable_name(std::string_view name);
bool is_environment_name(std::string_view name);

// Parses TOML text. `file` is only used in diagnostics and TestSpec::file.
ParseResult parse_test_text(std::string_view text, const std::string& file,
                            const ParseOptions& options = {});
// Reads and parses a file; an unreadable file is a diagnostic, not an exception.
ParseResult parse_test_file(const std::string& path, const ParseOptions& options = {});

// A file found while searching a directory that is not taken as a test.
struct SkippedFile {
  enum class Why {
    NotATestFile,     // its name does not end in .clnrm.toml
    SymbolicLink,     // a link named *.clnrm.toml: links found in a directory are not followed
    FailingDirectory  // below a directory named `failing` (select_test_files)
  };
  std::string path;
  Why why = Why::NotATestFile;
  // FailingDirectory: the innermost directory named `failing` that holds it
  // (failing_directory_below).
  std::string directory{};
};

// Every *.clnrm.toml under the given files/directories (recursive), sorted.
// A path that does not exist throws Error(Usage). `skipped`, when given,
// receives the other files found in the directories, sorted.
std::vector<std::string> discover_test_files(const std::vector<std::string>& paths,
                                             std::vector<SkippedFile>* skipped = nullptr);

// The test files a run takes from `paths` (clnrm run, clnrm validate,
// run_suite): discover_test_files over each path in path order, each file
// once. Files found under a directory named `failing` below a directory
// given are left out unless `include_failing` (they are tests that fail on
// purpose, as examples/failing/); naming such a file or directory itself
// takes it. Throws Error(Usage) for a missing path. `skipped`, when given,
// receives every other file found in the directories.
std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing,
                                           std::vector<SkippedFile>* skipped = nullptr);

// When `file`, found under directory `root`, lies in a directory named
// "failing" below `root` (the root itself does not count): that directory,
// the innermost one, as a prefix of `file` ("examples/a/failing"). nullopt
// otherwise.
std::optional<std::string> failing_directory_below(const std::string& root, const std::string& file);

// Where a test's name is written, for find_duplicate_names.
struct TestNameUse {
  std::string name;
  std::string file;
  SourcePos pos;  // ParseResult::name_pos
};

// A name used by more than one test: legal (reports key tests by file and
// name) but easy to confuse, so `clnrm run` and `clnrm validate` warn.
struct DuplicateName {
  std::string name;
  std::vector<std::size_t> uses;  // indices into find_duplicate_names' argument, in its order
};

// Every name used more than once, sorted by name. Each command formats the
// uses (file:line:col) its own way.
std::vector<DuplicateName> find_duplicate_names(const std::vector<TestNameUse>& tests);

}  // namespace clnrm
