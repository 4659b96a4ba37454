// Patterns taken as valid without RE2 (src/spec/plain_pattern.h): every one
// is_plain_pattern accepts, RE2 accepts too, and a check without compiled
// patterns (keep_patterns false, as `clnrm validate`) still reports RE2's
// error for every other bad pattern.
#include "spec/plain_pattern.h"

#include <clnrm/parser.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

namespace clnrm::spec_detail {
namespace {

bool re2_accepts(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return RE2(pattern, options).ok();
}

// Every string of up to two characters from printable ASCII and a few
// others, with and without anchors.
std::vector<std::string> short_patterns() {
  std::vector<std::string> alphabet;
  for (int c = 0x20; c <= 0x7E; ++c) alphabet.emplace_back(1, static_cast<char>(c));
  for (const char* other : {"\t", "\n", "\x01", "\x7F", "\xC3\xA9", "\xFF"}) alphabet.emplace_back(other);
  std::vector<std::string> out{""};
  for (const std::string& a : alphabet) {
    out.push_back(a);
    for (const std::string& b : alphabet) out.push_back(a + b);
  }
  const std::size_t plain = out.size();
  for (std::size_t i = 0; i < plain; ++i) {
    out.push_back("^" + out[i]);
    out.push_back(out[i] + "$");
    out.push_back("^" + out[i] + "$");
  }
  return out;
}

TEST(PlainPattern, RE2AcceptsEveryPatternTakenAsPlain) {
  std::size_t taken = 0;
  for (const std::string& p : short_patterns()) {
    if (!is_plain_pattern(p)) continue;
    ++taken;
    EXPECT_TRUE(re2_accepts(p)) << '"' << p << '"';
  }
  EXPECT_GT(taken, 20000u);  // most of them
  const std::string longest = "^" + std::string(kMaxPlainPatternBytes - 2, 'a') + "$";
  ASSERT_TRUE(is_plain_pattern(longest));
  EXPECT_TRUE(re2_accepts(longest));
  EXPECT_FALSE(is_plain_pattern(longest + "b"));
}

TEST(PlainPattern, MetacharactersAndOtherBytesGoToRE2) {
  for (const char* p : {"^000000$", "hello world", "", "^", "$", "^$", "a-b_c:d=e/f'g\"h#i%j&k,l;m<n>o@p!q~r`s"})
    EXPECT_TRUE(is_plain_pattern(p)) << p;
  for (const char* p : {"a.b", "a+", "a*", "a?", "(a)", "a|b", "[a]", "a{2}", "a}", "a]", "\\d", "a^",
                        "$a", "^^", "$$", "a\tb", "\xC3\xA9", "a\x7F"})
    EXPECT_FALSE(is_plain_pattern(p)) << p;
}

ParseResult check_only(const std::string& regex) {
  ParseOptions options;
  options.keep_patterns = false;
  return parse_test_text("[test.metadata]\nname = \"t\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n"
                         "expected_output_regex = " + regex + "\n",
                         "t.clnrm.toml", options);
}

TEST(PlainPattern, ACheckWithoutCompiledPatternsKeepsThePatternAndRE2sErrors) {
  const ParseResult plain = check_only("\"^ready$\"");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.spec->steps[0].expected_output_regex->source, "^ready$");
  EXPECT_EQ(plain.spec->steps[0].expected_output_regex->re, nullptr);

  const ParseResult bad = check_only("\"^(ready$\"");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].format(),
            "t.clnrm.toml:6:25: error: 'expected_output_regex': invalid regular expression "
            "\"^(ready$\": missing ): ^(ready$");
}

}  // namespace
}  // namespace clnrm::spec_detail
