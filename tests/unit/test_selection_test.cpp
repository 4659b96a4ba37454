#include "cli/test_selection.h"

#include <gtest/gtest.h>

using clnrm::cli::under_failing_directory;

TEST(TestSelection, FailingDirectoriesBelowTheRootAreLeftOut) {
  EXPECT_TRUE(under_failing_directory("examples", "examples/failing/bad.clnrm.toml"));
  EXPECT_TRUE(under_failing_directory("examples/", "examples/a/failing/b/x.clnrm.toml"));
  EXPECT_FALSE(under_failing_directory("examples", "examples/ok.clnrm.toml"));
  EXPECT_FALSE(under_failing_directory("examples/failing", "examples/failing/bad.clnrm.toml"))
      << "naming the directory itself runs it";
  EXPECT_FALSE(under_failing_directory("examples", "examples/failing.clnrm.toml"))
      << "a file name does not count";
  EXPECT_FALSE(under_failing_directory("examples", "examples/not_failing/x.clnrm.toml"));
  EXPECT_TRUE(under_failing_directory(".", "./examples/failing/x.clnrm.toml"));
}
