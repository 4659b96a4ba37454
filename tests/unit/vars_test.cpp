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

}  // namespace
}  // namespace clnrm
