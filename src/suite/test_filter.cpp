// Selecting parsed tests by name and tag (the rules: clnrm/test_filter.h).
#include <clnrm/test_filter.h>

#include <clnrm/error.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <sstream>

namespace clnrm {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

bool starts_with_word(std::string_view s, std::string_view word) {
  return s.size() > word.size() && s.substr(0, word.size()) == word &&
         (s[word.size()] == ' ' || s[word.size()] == '\t');
}

bool has_tag(const TestSpec& t, const std::string& tag) {
  return std::find(t.tags.begin(), t.tags.end(), tag) != t.tags.end();
}

}  // namespace

std::string test_identity(std::string_view file, std::string_view name) {
  return fmt::format("{}::{}", file, name);
}

Parsed<NameExpression> parse_name_expression(std::string_view text) {
  NameExpression e;
  std::string_view rest = trim(text);
  if (rest.empty()) return Parsed<NameExpression>::failure("an empty expression selects nothing");
  if (rest == "not")
    return Parsed<NameExpression>::failure("`not` needs a pattern after it, e.g. 'not slow'");
  if (starts_with_word(rest, "not")) {
    e.negated = true;
    rest = trim(rest.substr(3));
    if (rest == "not" || starts_with_word(rest, "not"))
      return Parsed<NameExpression>::failure("one `not` per -k");
  }
  // pytest's boolean words would silently match nothing as a substring.
  std::istringstream words{std::string(rest)};
  std::string word;
  int count = 0;
  bool boolean_word = false;
  while (words >> word) {
    ++count;
    boolean_word = boolean_word || word == "and" || word == "or" || word == "not";
  }
  if (count > 1 && boolean_word)
    return Parsed<NameExpression>::failure(
        "-k takes one pattern, optionally after `not`; it does not combine with and/or: repeat "
        "-k for 'a or b' (-k a -k b) and add -k 'not b' to exclude (a glob such as '*a*b*' "
        "needs both)");
  e.pattern = std::string(rest);
  e.glob = e.pattern.find_first_of("*?[") != std::string::npos;
  e.identity = e.pattern.find("::") != std::string::npos;
  return e;
}

bool pattern_matches(const NameExpression& e, std::string_view file, std::string_view name) {
  const std::string text = e.identity ? test_identity(file, name) : std::string(name);
  if (e.glob) return ::fnmatch(e.pattern.c_str(), text.c_str(), 0) == 0;
  return text.find(e.pattern) != std::string::npos;
}

std::function<bool(const TestSpec&)> make_test_filter(const TestFilter& filter) {
  std::vector<NameExpression> positive, negative;
  for (const std::string& text : filter.names) {
    const Parsed<NameExpression> e = parse_name_expression(text);
    if (!e) throw Error(ErrorKind::Usage, e.error(), fmt::format("-k '{}'", text));
    (e->negated ? negative : positive).push_back(*e);
  }
  for (const auto* list : {&filter.tags, &filter.skip_tags})
    for (const std::string& tag : *list)
      if (tag.empty())
        throw Error(ErrorKind::Usage, "an empty tag names no test",
                    list == &filter.tags ? "--tag" : "--skip-tag");
  return [positive, negative, tags = filter.tags,
          skip_tags = filter.skip_tags](const TestSpec& t) {
    auto matches = [&](const NameExpression& e) { return pattern_matches(e, t.file, t.name); };
    if (!positive.empty() && std::none_of(positive.begin(), positive.end(), matches)) return false;
    if (std::any_of(negative.begin(), negative.end(), matches)) return false;
    auto tagged = [&](const std::string& tag) { return has_tag(t, tag); };
    if (!tags.empty() && std::none_of(tags.begin(), tags.end(), tagged)) return false;
    return std::none_of(skip_tags.begin(), skip_tags.end(), tagged);
  };
}

}  // namespace clnrm
