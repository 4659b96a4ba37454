// src/assert/golden_file.cpp: compare, rewrite, and refuse links below the
// test's directory.
#include <clnrm/assertions.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

using namespace clnrm;
namespace fs = std::filesystem;

namespace {

using Dir = clnrm::testing::TempDir;

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(GoldenFile, EqualPassesDifferenceNamesTheFirstDifferingLine) {
  Dir d;
  fs::create_directory(d.path() + "/g");
  std::ofstream(d.path() + "/g/out.txt") << "a\nb\nc\n";
  const GoldenFile golden{d.path(), "g/out.txt", {}};
  AssertionResult a;
  check_golden_file(golden, "a\nb\nc\n", false, a);
  EXPECT_TRUE(a.passed) << a.message;
  check_golden_file(golden, "a\nB\nc\n", false, a);
  EXPECT_FALSE(a.passed);
  EXPECT_NE(a.message.find("stdout differs from expected_output_file g/out.txt (6 bytes expected, 6 printed"),
            std::string::npos) << a.message;
  EXPECT_NE(a.message.find("first difference at line 2:\n    expected: \"b\"\n    actual:   \"B\""),
            std::string::npos) << a.message;
  check_golden_file(golden, "a\nb\n", false, a);
  EXPECT_NE(a.message.find("expected: \"c\"\n    actual:   (end of output)"), std::string::npos) << a.message;
}

TEST(GoldenFile, UpdateWritesBelowTheDirectoryCreatingDirectories) {
  Dir d;
  AssertionResult a;
  check_golden_file(GoldenFile{d.path(), "new/dir/out.txt", {}}, "x\n", true, a);
  EXPECT_TRUE(a.passed) << a.message;
  EXPECT_EQ(slurp(d.path() + "/new/dir/out.txt"), "x\n");
}

TEST(GoldenFile, MissingFileAndSymbolicLinksAreFailuresNotReads) {
  Dir d;
  AssertionResult a;
  check_golden_file(GoldenFile{d.path(), "none.txt", {}}, "x", false, a);
  EXPECT_FALSE(a.passed);
  EXPECT_NE(a.message.find("none.txt does not exist (clnrm run --update-golden writes it)"), std::string::npos)
      << a.message;
  fs::create_symlink("/etc/hostname", d.path() + "/link.txt");
  check_golden_file(GoldenFile{d.path(), "link.txt", {}}, "x", false, a);
  EXPECT_FALSE(a.passed);
  EXPECT_NE(a.message.find("has a symbolic link on its path"), std::string::npos) << a.message;
  check_golden_file(GoldenFile{d.path(), "link.txt", {}}, "x", true, a);
  EXPECT_FALSE(a.passed);
  EXPECT_NE(slurp("/etc/hostname"), "x");
}

}  // namespace
