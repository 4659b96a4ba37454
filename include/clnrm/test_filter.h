#pragma once
// Which parsed tests a run takes, by name and tag (clnrm run -k, --tag,
// --skip-tag; docs/running-tests.md, "Choosing tests"): the predicate for
// SuiteOptions::select. Globs are fnmatch(3); no regular expressions.

#include <clnrm/parsed.h>
#include <clnrm/spec.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

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

}  // namespace clnrm
