#include "cli/skipped_files.h"

#include <clnrm/parser.h>
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

using clnrm::failing_directory_below;

TEST(TestSelection, FailingDirectoriesBelowTheRootAreLeftOut) {
  using Dir = std::optional<std::string>;
  EXPECT_EQ(failing_directory_below("examples", "examples/failing/bad.clnrm.toml"), Dir("examples/failing"));
  EXPECT_EQ(failing_directory_below("examples/", "examples/a/failing/b/x.clnrm.toml"), Dir("examples/a/failing"));
  EXPECT_EQ(failing_directory_below("e", "e/failing/x/failing/y.clnrm.toml"), Dir("e/failing/x/failing"))
      << "the innermost one";
  EXPECT_EQ(failing_directory_below("examples", "examples/ok.clnrm.toml"), std::nullopt);
  EXPECT_EQ(failing_directory_below("examples/failing", "examples/failing/bad.clnrm.toml"), std::nullopt)
      << "naming the directory itself runs it";
  EXPECT_EQ(failing_directory_below("failing/a", "failing/a/b.clnrm.toml"), std::nullopt)
      << "a `failing` above the root does not count";
  EXPECT_EQ(failing_directory_below("examples", "examples/failing.clnrm.toml"), std::nullopt)
      << "a file name does not count";
  EXPECT_EQ(failing_directory_below("examples", "examples/not_failing/x.clnrm.toml"), std::nullopt);
  EXPECT_EQ(failing_directory_below(".", "./examples/failing/x.clnrm.toml"), Dir("./examples/failing"));
}

namespace {

namespace fs = std::filesystem;

// A directory tree removed at scope exit.
struct Tree {
  clnrm::testing::TempDir dir{"clnrm-selection"};
  fs::path root{dir.path()};
  void file(const std::string& rel) { dir.write(rel, "x"); }
};

std::string report_of(const std::vector<clnrm::SkippedFile>& skipped, bool verbose) {
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  clnrm::cli::report_skipped(out, skipped, verbose);
  std::fclose(out);
  std::string s(text, size);
  std::free(text);
  return s;
}

}  // namespace

// `run DIR` says what it did not run and why: nothing is dropped without a word.
TEST(TestSelection, WhatADirectorySearchSkipsIsReportedWithItsReason) {
  Tree t;
  t.file("a.clnrm.toml");
  t.file("failing/b.clnrm.toml");
  t.file("failing/c.clnrm.toml");
  t.file("ci.toml");
  t.file("README.md");
  t.file("fixtures/data.json");
  fs::create_symlink(t.root / "a.clnrm.toml", t.root / "link.clnrm.toml");

  std::vector<clnrm::SkippedFile> skipped;
  const auto files = clnrm::select_test_files({t.root.string()}, false, &skipped);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], (t.root / "a.clnrm.toml").string());
  ASSERT_EQ(skipped.size(), 6u);

  const std::string r = t.root.string();
  const std::string quiet = report_of(skipped, false);
  EXPECT_NE(quiet.find("clnrm: skipped " + r + "/ci.toml: not named *.clnrm.toml\n"),
            std::string::npos)
      << quiet;
  EXPECT_NE(quiet.find("clnrm: skipped " + r + "/link.clnrm.toml: a symbolic link"),
            std::string::npos)
      << quiet;
  EXPECT_NE(quiet.find("clnrm: skipped 2 test files under " + r +
                       "/failing: a directory named `failing` holds tests that fail on purpose"),
            std::string::npos)
      << quiet;
  EXPECT_NE(quiet.find("clnrm: skipped 2 other files (not named *.clnrm.toml; -v lists them)"),
            std::string::npos)
      << quiet;
  const std::string verbose = report_of(skipped, true);
  EXPECT_NE(verbose.find(r + "/README.md: not named *.clnrm.toml"), std::string::npos) << verbose;
  EXPECT_NE(verbose.find(r + "/fixtures/data.json: not named *.clnrm.toml"), std::string::npos)
      << verbose;

  // --include-failing takes them; nothing under failing/ is reported then.
  skipped.clear();
  EXPECT_EQ(clnrm::select_test_files({t.root.string()}, true, &skipped).size(), 3u);
  EXPECT_EQ(report_of(skipped, false).find("failing"), std::string::npos);
}
