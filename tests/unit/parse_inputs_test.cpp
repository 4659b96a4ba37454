// Parsing every input before a run (src/suite/parse_inputs.cpp).
#include "suite/parse_inputs.h"

#include <clnrm/error.h>

#include <gtest/gtest.h>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;
using suite_test::test_file;

namespace {

struct Recording : SuiteObserver {
  std::vector<std::string> lines;
  void diagnostic(const Diagnostic& d) override { lines.push_back(d.format()); }
};

}  // namespace

TEST(ParseInputs, PathsKeepTheirOrderDirectoriesAreSearchedEachFileOnce) {
  ScratchDir dir;
  const std::string b = dir.write("d/b.clnrm.toml", test_file("b"));
  const std::string a = dir.write("d/a.clnrm.toml", test_file("a"));
  const std::string z = dir.write("z.clnrm.toml", test_file("z"));
  dir.write("d/notes.txt", "x");
  EXPECT_EQ(select_test_files({z, dir.path("d"), a}, false), (std::vector<std::string>{z, a, b}));
  EXPECT_THROW(select_test_files({dir.path("missing")}, false), Error);
}

TEST(ParseInputs, InvalidFileIsAnErrorResultListingItsErrors) {
  const TestResult t = suite::invalid_file_result(
      "x.clnrm.toml", {Diagnostic{Diagnostic::Severity::Error, "x.clnrm.toml", {3, 1}, "bad"},
                       Diagnostic{Diagnostic::Severity::Warning, "x.clnrm.toml", {4, 1}, "meh"}});
  EXPECT_EQ(t.status, Status::Error);
  EXPECT_EQ(t.name, "x.clnrm.toml");
  EXPECT_EQ(t.message, "invalid test file, not run (1 error):\nx.clnrm.toml:3:1: error: bad");
}

TEST(ParseInputs, ValidAndInvalidFilesAreSeparatedAndUnknownKeysNoticed) {
  ScratchDir dir;
  const std::string good = dir.write("good.clnrm.toml", test_file("good"));
  const std::string typo = dir.write("typo.clnrm.toml", test_file("typo", "true", "comand = 1\n"));
  const std::string wrong_type =
      dir.write("type.clnrm.toml", "[test.metadata]\nname = 3\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n");
  Recording observer;
  suite::ParsedInputs p = suite::parse_inputs({good, wrong_type}, {}, std::nullopt, observer);
  ASSERT_EQ(p.tests.size(), 1u);
  EXPECT_EQ(p.names.at(0).name, "good");
  EXPECT_EQ(p.names.at(0).file, good);
  EXPECT_EQ(p.names.at(0).pos.line, 2u);
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_FALSE(p.unknown_keys);  // a wrong type is not what --upstream relaxes
  EXPECT_FALSE(observer.lines.empty());

  p = suite::parse_inputs({good, typo}, {}, std::nullopt, observer);
  EXPECT_TRUE(p.unknown_keys);
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_EQ(p.invalid[0].file, typo);

  ParseOptions upstream;
  upstream.upstream = true;
  p = suite::parse_inputs({good, typo}, upstream, std::nullopt, observer);
  EXPECT_TRUE(p.invalid.empty());
  EXPECT_FALSE(p.unknown_keys);
  EXPECT_EQ(p.tests.size(), 2u);
}
