// Duplicate step names and positions in long files (src/spec/step_names.h):
// names are checked once a list is read, each duplicate at its own `name`,
// naming the line of the first step of that name.
#include <clnrm/parser.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace clnrm {
namespace {

std::vector<std::string> errors_of(const ParseResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics)
    if (d.severity == Diagnostic::Severity::Error) out.push_back(d.format());
  return out;
}

// Step i (0-based) of a generated [[steps]] list: its table on line
// 3 + 3i, its `name` on line 4 + 3i (two lines of metadata first).
std::uint32_t table_line(int i) { return static_cast<std::uint32_t>(3 + 3 * i); }
std::uint32_t name_line(int i) { return table_line(i) + 1; }

std::string steps_file(int count, const std::function<std::string(int)>& name_of,
                       const std::function<std::string(int)>& extra_of = {}) {
  std::string text = "[test.metadata]\nname = \"x\"\n";
  for (int i = 0; i < count; ++i)
    text += fmt::format("[[steps]]\nname = \"{}\"\ncommand = [\"true\"]{}\n", name_of(i),
                        extra_of ? extra_of(i) : "");
  return text;
}

// Half the names repeat the other half's: every repeat is reported, in file
// order, against its first use (many names hash near each other).
TEST(StepNames, EveryRepeatInALongListIsReportedAgainstItsFirstUse) {
  const int n = 6000;
  const ParseResult r =
      parse_test_text(steps_file(n, [](int i) { return fmt::format("s{}", i % (n / 2)); }), "t.clnrm.toml");
  std::vector<std::string> expected;
  for (int i = n / 2; i < n; ++i)
    expected.push_back(fmt::format("t.clnrm.toml:{}:8: error: duplicate step name 's{}' (first defined at line {})",
                                   name_line(i), i - n / 2, table_line(i - n / 2)));
  EXPECT_EQ(errors_of(r), expected);
}

// Names equal but for the last character, and a name used three times: only
// equal names are duplicates, and the third use names the first, not the second.
TEST(StepNames, OnlyEqualNamesAreDuplicatesAndTheFirstUseIsNamed) {
  const std::vector<std::string> names = {"build", "build2", "buil", "build", "Build", "build"};
  const ParseResult r = parse_test_text(
      steps_file(static_cast<int>(names.size()), [&](int i) { return names[static_cast<std::size_t>(i)]; }),
      "t.clnrm.toml");
  EXPECT_EQ(errors_of(r),
            (std::vector<std::string>{
                fmt::format("t.clnrm.toml:{}:8: error: duplicate step name 'build' (first defined at line {})",
                            name_line(3), table_line(0)),
                fmt::format("t.clnrm.toml:{}:8: error: duplicate step name 'build' (first defined at line {})",
                            name_line(5), table_line(0))}));
}

// Step 70000 of a file repeats a name and has a bad regex: both are reported
// at their own line and column, whether the parse keeps compiled regexes (a
// run) or only checks them (validate).
TEST(StepNames, Step70000IsReportedAtItsLine) {
  const int n = 70000;
  const int last = n - 1;
  const std::string text = steps_file(
      n, [&](int i) { return i == last ? std::string("s5") : fmt::format("s{}", i); },
      [&](int i) { return i == last ? std::string("\nexpected_output_regex = \"(a\"") : fmt::format("\nexpected_output_regex = \"^{}$\"", i); });
  // With the regex line, step i's table is on line 3 + 4i and its name on 4 + 4i.
  const auto table4 = [](int i) { return 3 + 4 * i; };
  const std::vector<std::string> expected = {
      fmt::format("t.clnrm.toml:{}:8: error: duplicate step name 's5' (first defined at line {})",
                  table4(last) + 1, table4(5)),
      fmt::format("t.clnrm.toml:{}:25: error: 'expected_output_regex': invalid regular expression \"(a\": "
                  "missing ): (a",
                  table4(last) + 3)};
  for (bool keep : {true, false}) {
    ParseOptions options;
    options.keep_patterns = keep;
    EXPECT_EQ(errors_of(parse_test_text(text, "t.clnrm.toml", options)), expected) << "keep_patterns " << keep;
  }
}

}  // namespace
}  // namespace clnrm
