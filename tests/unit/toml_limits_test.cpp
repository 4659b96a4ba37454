// The pre-scan that bounds nesting before toml++ sees a document: every form
// of depth toml++ would build is refused at 100,000 levels with file:line:col
// and the limit, never a stack overflow; real files pass untouched.
#include "spec/toml_limits.h"

#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <clnrm/project_config.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace clnrm::spec_detail {
namespace {

constexpr int kDeep = 100'000;

std::string repeat(std::string_view unit, int n) {
  std::string out;
  out.reserve(unit.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

// "a.a.a" with n segments.
std::string dotted(int n) {
  std::string key = "a";
  key.reserve(static_cast<std::size_t>(n) * 2);
  for (int i = 1; i < n; ++i) key += ".a";
  return key;
}

// The single error of parse_test_text on `text`, formatted.
std::string only_error(const std::string& text) {
  const ParseResult r = parse_test_text(text, "deep.clnrm.toml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.size(), 1u);
  return r.diagnostics.empty() ? "" : r.diagnostics[0].format();
}

const std::string kSteps =
    "[test.metadata]\nname = \"n\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";

// The scan makes a line and column of the violation's offset only: after a
// byte order mark (not a column) and characters of several bytes (one column
// each), as toml++ counts.
TEST(TomlLimitsTest, PositionsCountCodePointsAfterAByteOrderMark) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string segments = "this key has more than 128 dotted segments; the limit is 128";
  EXPECT_EQ(only_error(bom + "x = { \"\u00e9\" = 1, " + dotted(kMaxKeySegments + 1) + " = 1 }\n"),
            "deep.clnrm.toml:1:16: error: " + segments);
  EXPECT_EQ(only_error(bom + "# \u00e9\u00e9\n\"\u00e9\" = [ \"\u00e9\", { " +
                       dotted(kMaxKeySegments + 1) + " = 1 } ]\n"),
            "deep.clnrm.toml:2:16: error: " + segments);
}

TEST(TomlLimitsTest, DeepTableHeaderIsAnErrorAtTheKey) {
  EXPECT_EQ(only_error("# deep\n[" + dotted(kDeep) + "]\n"),
            "deep.clnrm.toml:2:2: error: this key has more than 128 dotted segments; the limit is "
            "128");
  EXPECT_EQ(only_error("[[" + dotted(kDeep) + "]]\n"),
            "deep.clnrm.toml:1:3: error: this key has more than 128 dotted segments; the limit is "
            "128");
}

TEST(TomlLimitsTest, DeepDottedKeysAreErrors) {
  EXPECT_EQ(only_error(kSteps + "[vars]\n" + dotted(kDeep) + " = 1\n"),
            "deep.clnrm.toml:7:1: error: this key has more than 128 dotted segments; the limit is "
            "128");
  // Quoted segments and blanks around the dots count the same.
  EXPECT_NE(only_error("x = 1\n" + repeat("\"a\" . 'b'.", kDeep) + "c = 1\n")
                .find("deep.clnrm.toml:2:1: error: this key has more than 128"),
            std::string::npos);
  // Inside an inline table.
  EXPECT_EQ(only_error("x = { " + dotted(kDeep) + " = 1 }\n"),
            "deep.clnrm.toml:1:7: error: this key has more than 128 dotted segments; the limit is "
            "128");
}

TEST(TomlLimitsTest, DeepArraysAndInlineTablesAreErrors) {
  const std::string nesting =
      "error: arrays and inline tables nest more than 64 levels deep here; the limit is 64";
  EXPECT_EQ(only_error("x = " + repeat("[", kDeep) + repeat("]", kDeep) + "\n"),
            "deep.clnrm.toml:1:69: " + nesting);
  EXPECT_EQ(only_error("x = " + repeat("{a=", kDeep) + "1" + repeat("}", kDeep) + "\n"),
            "deep.clnrm.toml:1:197: " + nesting);
  EXPECT_EQ(only_error("x = " + repeat("[{a=", kDeep) + "\n"), "deep.clnrm.toml:1:133: " + nesting);
  // Line breaks and comments between array elements.
  EXPECT_EQ(only_error("x = [\n" + repeat("# c\n[\n", kDeep)), "deep.clnrm.toml:129:1: " + nesting);
}

TEST(TomlLimitsTest, DepthAddsHeaderKeysAndNesting) {
  // Each part within its own limit; together too deep.
  const std::string key = dotted(100);
  std::string text = "[" + key + "]\n" + key + " = ";
  for (int i = 0; i < 60; ++i) text += "{" + key + " = ";
  EXPECT_NE(only_error(text + "1\n").find("deep.clnrm.toml:2:"), std::string::npos);
  EXPECT_NE(only_error(text + "1\n").find("nests more than 256 levels deep"), std::string::npos);
}

TEST(TomlLimitsTest, LimitsThemselvesAreAccepted) {
  EXPECT_FALSE(scan_toml_limits("[" + dotted(kMaxKeySegments) + "]\n").violation);
  EXPECT_TRUE(scan_toml_limits("[" + dotted(kMaxKeySegments + 1) + "]\n").violation);
  const std::string nested = "x = " + repeat("[", kMaxValueNesting) + repeat("]", kMaxValueNesting);
  EXPECT_FALSE(scan_toml_limits(nested).violation);
  EXPECT_TRUE(scan_toml_limits("x = [" + nested.substr(4) + "]").violation);
}

TEST(TomlLimitsTest, StringsAndCommentsAreNotStructure) {
  const std::string deep_text = repeat("[{a.", kDeep);
  for (const std::string& text : std::vector<std::string>{
           "x = \"" + deep_text + "\"\n", "x = '" + deep_text + "'\n",
           "x = \"\"\"\n" + deep_text + "\n\\\"\"\"\n" + deep_text + "\"\"\"\n",
           "x = '''\n" + deep_text + "\n'''\n", "# " + deep_text + "\n",
           "x = 1 # " + deep_text + "\n", "x = [\"a\", # " + deep_text + "\n 'b']\n",
           std::string("x = \"\"\"a\"\"\"\"\"\n[y]\n"),  // up to two quotes before the delimiter
                                                         // are content
       }) {
    const TomlScan scan = scan_toml_limits(text);
    EXPECT_FALSE(scan.violation) << text.substr(0, 40);
    EXPECT_TRUE(scan.reached_end) << text.substr(0, 40);
  }
}

TEST(TomlLimitsTest, EveryTomlFileOfTheRepositoryIsScannedToTheEnd) {
  // The scan stops at text that is not TOML; on a valid document it must
  // read to the end, or it could miss depth after the point where it stopped.
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"examples", "tests/unit/data/valid", "tests/e2e/data", "bench"}) {
    for (const auto& entry :
         fs::recursive_directory_iterator(std::string(CLNRM_SOURCE_DIR) + "/" + dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".toml") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      try {
        (void)toml::parse(text.str());
      } catch (const toml::parse_error&) {
        continue;  // invalid on purpose
      }
      const TomlScan scan = scan_toml_limits(text.str());
      EXPECT_TRUE(scan.reached_end) << entry.path();
      EXPECT_FALSE(scan.violation) << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 20);
}

TEST(TomlLimitsTest, EveryTomlFormIsScannedToTheEnd) {
  const std::string text = R"(# every kind of value and key
"quoted key" = "v"
'literal key' = 'v'
a.b . c = 1
bare-key_1 = -0.5e+3
hex = 0xDEAD_beef
inf = -inf
dates = [1979-05-27T07:32:00Z, 1979-05-27 07:32:00.999-08:00, 1979-05-27, 07:32:00]
ml = """
line "one" \"""
"""
lit = '''it's'''
empty = []
trailing = [1, 2, ]
mixed = [ { a = 1 }, [ "x", 'y' ], {} ]
inline = { x.y = 1, "z" = [ 1 ] }
[table."with quotes".'and literal']
k = true
[[array.of.tables]]
k = false # comment
)";
  ASSERT_NO_THROW((void)toml::parse(text));
  const TomlScan scan = scan_toml_limits(text);
  EXPECT_TRUE(scan.reached_end);
  EXPECT_FALSE(scan.violation);
}

TEST(TomlLimitsTest, TemplatedVarsLinesAreBoundedToo) {
  // Not TOML until rendered: the [vars] line scan parses values on its own.
  const std::string text =
      kSteps + "timeout = {{ vars.t }}\n[vars]\nt = { " + dotted(kDeep) + " = 1 }\n";
  const ParseResult r = parse_test_text(text, "deep.clnrm.toml");
  EXPECT_FALSE(r.ok());
}

TEST(TomlLimitsTest, ProjectConfigIsBounded) {
  try {
    parse_project_config("[" + dotted(kDeep) + "]\n", "cleanroom.toml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("cleanroom.toml:1:2: error: this key has more than 128"),
              std::string::npos)
        << e.what();
  }
  try {
    parse_project_config("x = " + repeat("[", kDeep) + "\n", "cleanroom.toml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nest more than 64 levels"), std::string::npos);
  }
}

}  // namespace
}  // namespace clnrm::spec_detail
