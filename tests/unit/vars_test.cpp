// The names templates may use (src/spec/vars.cpp): one rule for test files,
// --var and --allow-env.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(VariableNames, OneRuleForFilesAndFlags) {
  for (const char* name : {"port", "db.host", "hosts.0", "a-b", "x_1", "1st"})
    EXPECT_TRUE(is_variable_name(name)) << name;
  for (const char* name : {"", ".", "a.", ".a", "a..b", "a b", "a/b", "a[0]", "a=b"})
    EXPECT_FALSE(is_variable_name(name)) << name;
  for (const char* name : {"HOME", "CI_TOKEN", "_x1"}) EXPECT_TRUE(is_environment_name(name)) << name;
  for (const char* name : {"", "A.B", "A B", "A=B", "A-B", "1A"})
    EXPECT_FALSE(is_environment_name(name)) << name;
}

// What a flag may set, a template can read: --var db.host=x reaches {{ vars.db.host }}.
TEST(VariableNames, AFlagVariableReachesTheTemplateThatNamesIt) {
  ParseOptions options;
  options.cli_vars["db.host"] = "127.0.0.1";
  const ParseResult r = parse_test_text(R"([test.metadata]
name = "t"
[[steps]]
name = "s"
command = ["echo", "{{ vars.db.host }}"]
)",
                                        "t.clnrm.toml", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spec->steps[0].command.back(), "127.0.0.1");
}

// A file whose text has no "{{" / "{%" skips the substitution walk
// (may_hold_templates, src/spec/vars.cpp); escapes can still spell a template
// in a string's value, and those are substituted as before.
TEST(Templates, EscapesThatSpellATemplateAreSubstituted) {
  const ParseResult r = parse_test_text(R"([test.metadata]
name = "t"
[vars]
x = "hi"
[[steps]]
name = "a"
command = ["echo", "\u007B\u007B vars.x }}", "\U0000007B\U0000007b x }}", """{\
   { x }}"""]
)",
                                        "t.clnrm.toml");
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].message);
  EXPECT_EQ(r.spec->steps[0].command, (std::vector<std::string>{"echo", "hi", "hi", "hi"}));

  const ParseResult block = parse_test_text(R"([test.metadata]
name = "t"
[[steps]]
name = "a"
command = ["echo", "{\u0025 if x %}"]
)",
                                            "t.clnrm.toml");
  ASSERT_FALSE(block.ok());
  ASSERT_EQ(block.diagnostics.size(), 1u);
  EXPECT_EQ(block.diagnostics[0].pos.line, 5u);
  EXPECT_NE(block.diagnostics[0].message.find("template blocks"), std::string::npos);
}

TEST(Templates, BracesAndEscapesThatSpellNoTemplateStayAsWritten) {
  const ParseResult r = parse_test_text(R"([test.metadata]
name = "t"
[[steps]]
name = "a"
command = ["echo", "{ x }", "%{x}", "}}", "a\tb", 'C:\{{']
env = { A = "{" }
expected_output_regex = "^\\d+ \\{ \\}$"
)",
                                        "t.clnrm.toml");
  ASSERT_FALSE(r.ok());  // the literal string's "{{" is a template: the walk ran
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].pos.line, 5u);

  const ParseResult plain = parse_test_text(R"([test.metadata]
name = "t"
[[steps]]
name = "a"
command = ["echo", "{ x }", "%{x}", "}}", "a\tb", 'C:\{']
env = { A = "{" }
expected_output_regex = "^\\d+ \\{ \\}$"
)",
                                            "t.clnrm.toml");
  ASSERT_TRUE(plain.ok()) << (plain.diagnostics.empty() ? "" : plain.diagnostics[0].message);
  const StepSpec& step = plain.spec->steps[0];
  EXPECT_EQ(step.command,
            (std::vector<std::string>{"echo", "{ x }", "%{x}", "}}", "a\tb", "C:\\{"}));
  EXPECT_EQ(step.env, (EnvList{{"A", "{"}}));
  EXPECT_EQ(step.expected_output_regex->source, "^\\d+ \\{ \\}$");
}

}  // namespace
}  // namespace clnrm
