// Table-driven corpus: every tests/unit/data/invalid/*.clnrm.toml starts with
// "# expect: LINE:COL: text" and must fail with an error at exactly that
// position whose message contains the text. Every tests/unit/data/valid/ file
// must parse without errors.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> corpus(const char* dir) {
  return discover_test_files({std::string(CLNRM_SOURCE_DIR) + "/tests/unit/data/" + dir});
}

struct Expectation {
  std::uint32_t line = 0, column = 0;
  std::string text;
};

std::optional<Expectation> read_expectation(const std::string& file) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  constexpr std::string_view prefix = "# expect: ";
  if (first.rfind(prefix, 0) != 0) return std::nullopt;
  Expectation e;
  char colon1 = 0, colon2 = 0;
  std::istringstream s(first.substr(prefix.size()));
  if (!(s >> e.line >> colon1 >> e.column >> colon2) || colon1 != ':' || colon2 != ':')
    return std::nullopt;
  std::getline(s, e.text);
  if (!e.text.empty() && e.text.front() == ' ') e.text.erase(0, 1);
  return e;
}

TEST(SpecCorpusTest, EveryInvalidFileFailsWithItsExpectedDiagnostic) {
  const auto files = corpus("invalid");
  ASSERT_GE(files.size(), 45u);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    auto expect = read_expectation(file);
    ASSERT_TRUE(expect) << "first line must be '# expect: LINE:COL: text'";
    ParseResult r = parse_test_file(file);
    EXPECT_FALSE(r.ok());
    bool found = false;
    std::string got;
    for (const Diagnostic& d : r.diagnostics) {
      got += d.format() + "\n";
      EXPECT_EQ(d.format().rfind(file + ":", 0), 0u) << "every diagnostic names the file";
      if (d.severity == Diagnostic::Severity::Error && d.pos.line == expect->line &&
          d.pos.column == expect->column && d.message.find(expect->text) != std::string::npos)
        found = true;
    }
    EXPECT_TRUE(found) << "expected " << expect->line << ":" << expect->column << ": "
                       << expect->text << "\ngot:\n"
                       << got;
  }
}

TEST(SpecCorpusTest, EveryValidFileParses) {
  const auto files = corpus("valid");
  ASSERT_GE(files.size(), 8u);
  for (const std::string& file : files) {
    ParseResult r = parse_test_file(file);
    std::string got;
    for (const Diagnostic& d : r.diagnostics) got += d.format() + "\n";
    EXPECT_TRUE(r.ok()) << file << "\n" << got;
    if (r.ok()) {
      EXPECT_FALSE(r.spec->name.empty()) << file;
    }
  }
}

}  // namespace
}  // namespace clnrm
