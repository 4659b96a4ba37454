#pragma once
// Which tests `clnrm run PATH...` runs: the files (here and
// failing_filter.cpp) and, once they are parsed, the tests by name and tag
// (-k, --tag, --skip-tag: name_filter.cpp; docs/running-tests.md, "Choosing
// tests").
//
// Which test files `clnrm run PATH...` runs. Files under a directory named
// `failing` (below a directory given on the command line) are left out:
// they are tests that fail on purpose (examples/failing/, used by e2e
// tests). Naming such a file or directory explicitly, or
// --include-failing, runs them. What a directory holds besides the tests run
// is reported (report_skipped), never dropped without a word.

#include <clnrm/parsed.h>
#include <clnrm/parser.h>
#include <clnrm/spec.h>

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::cli {

// True when `file`, found under directory `root`, lies in a directory named
// "failing" below `root` (the root itself does not count).
bool under_failing_directory(const std::string& root, const std::string& file);

// discover_test_files over each path, minus the `failing` ones, in path
// order, without duplicates. Throws Error(Usage) for a missing path.
// `skipped`, when given, receives every other file found in the directories.
std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing,
                                           std::vector<SkippedFile>* skipped = nullptr);

// Says what was skipped and why, on `out`: each test file under `failing`
// directories (one line per such directory), each symbolic link and each
// other *.toml file by name, and the count of other files (each by name when
// `verbose`).
void report_skipped(std::FILE* out, const std::vector<SkippedFile>& skipped, bool verbose);

// One -k expression: PATTERN or `not PATTERN`. A PATTERN with any of
// `* ? [` is a glob (fnmatch(3), no flags: `*` also matches `/`) matched
// against the whole text; otherwise it matches as a substring. A PATTERN
// with `::` is matched against the test's identity `FILE::NAME` (as --list
// prints it), any other against the name. Case-sensitive.
struct NameExpression {
  std::string pattern;
  bool negated = false;
  bool glob = false;
  bool identity = false;  // matched against FILE::NAME
};

// The expression, or why not: empty, `not` alone, or pytest's `and` / `or`
// / parentheses (which -k does not combine: repeat -k instead).
Parsed<NameExpression> parse_name_expression(std::string_view text);

// True when `e`'s PATTERN matches (the negation is not applied).
bool pattern_matches(const NameExpression& e, std::string_view file, std::string_view name);

// What `clnrm run` selects by, once the files are parsed.
struct TestFilter {
  std::vector<std::string> names;      // -k EXPR (repeatable)
  std::vector<std::string> tags;       // --tag T (repeatable)
  std::vector<std::string> skip_tags;  // --skip-tag T (repeatable)
  bool empty() const { return names.empty() && tags.empty() && skip_tags.empty(); }
};

// The predicate for SuiteOptions::select: a test is selected when
//   (no positive -k, or it matches at least one positive -k)
//   and it matches no `not` -k
//   and (no --tag, or it has at least one --tag)
//   and it has no --skip-tag.
// Throws Error(Usage) naming -k for an expression parse_name_expression
// refuses, and naming --tag / --skip-tag for an empty tag.
std::function<bool(const TestSpec&)> make_test_filter(const TestFilter& filter);

// A test's identity in --list and in -k patterns with `::`: FILE::NAME.
std::string test_identity(std::string_view file, std::string_view name);

}  // namespace clnrm::cli
