// [report] paths in a test file: relative and inside the output directory,
// or an error naming file:line:col (src/spec/settings_reader.cpp).
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <string>

namespace clnrm {
namespace {

const std::string kTest = R"([test.metadata]
name = "r"
[[steps]]
name = "s"
command = ["true"]
[report]
)";

ParseResult parse(const std::string& report_lines) {
  return parse_test_text(kTest + report_lines, "r.clnrm.toml");
}

std::string errors(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

TEST(SettingsReaderTest, RelativeReportPathsAreAccepted) {
  const ParseResult r =
      parse("json = \"out/r.json\"\njunit = \"./r.xml\"\ndigest = \"a/b/c/digests.json\"\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.spec->report.json, "out/r.json");
  EXPECT_EQ(r.spec->report.junit, "./r.xml");
  EXPECT_EQ(r.spec->report.digest, "a/b/c/digests.json");
}

TEST(SettingsReaderTest, AbsoluteReportPathIsAnErrorWithPosition) {
  const ParseResult r = parse("json = \"/etc/cron.d/x.json\"\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].format(),
            "r.clnrm.toml:7:8: error: [report] json = \"/etc/cron.d/x.json\" is absolute: a path "
            "in a test file must stay inside the output directory (a relative path without '..'; "
            "see clnrm run --output-dir)");
}

TEST(SettingsReaderTest, DotDotAnywhereIsAnError) {
  for (const char* path : {"../x.json", "a/../../x.json", "a/..", "a/b/../c.json"}) {
    const ParseResult r = parse(std::string("junit = \"") + path + "\"\n");
    ASSERT_FALSE(r.ok()) << path;
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_NE(r.diagnostics[0].format().find("r.clnrm.toml:7:9: error: [report] junit = \"" +
                                             std::string(path) + "\" has a '..' component"),
              std::string::npos)
        << r.diagnostics[0].format();
  }
}

TEST(SettingsReaderTest, PathsWithoutAFileNameOrWithControlCharactersAreErrors) {
  EXPECT_NE(errors(parse("digest = \"\"\n"))
                .find("r.clnrm.toml:7:10: error: [report] digest = \"\" is empty"),
            std::string::npos);
  EXPECT_NE(errors(parse("digest = \"dir/\"\n")).find("names no file"), std::string::npos);
  EXPECT_NE(errors(parse("digest = \".\"\n")).find("names no file"), std::string::npos);
  const std::string nul = errors(parse("json = \"x\\u0000/etc/passwd\"\n"));
  EXPECT_NE(nul.find("contains a control character"), std::string::npos) << nul;
  EXPECT_EQ(nul.find('\0'), std::string::npos) << "printed escaped";
}

TEST(SettingsReaderTest, VariablesAreCheckedAfterSubstitution) {
  const ParseResult r = parse_test_text(
      kTest + "json = \"{{ vars.dir }}/x.json\"\n[vars]\ndir = \"/root\"\n", "r.clnrm.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errors(r).find("r.clnrm.toml:7:8: error: [report] json = \"/root/x.json\" is absolute"),
            std::string::npos)
      << errors(r);
}

}  // namespace
}  // namespace clnrm
