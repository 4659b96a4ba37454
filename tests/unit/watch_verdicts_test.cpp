// WatchVerdicts (src/cli/watch_verdicts.cpp): which tests changed verdict
// between two runs of clnrm run --watch, and the watch's text.
#include "cli/watch_verdicts.h"

#include <gtest/gtest.h>

using namespace clnrm;
using namespace clnrm::cli;

namespace {

TestResult result(const std::string& file, const std::string& name, Status status) {
  TestResult t;
  t.file = file;
  t.name = name;
  t.status = status;
  return t;
}

RunResult run_of(std::vector<TestResult> tests) {
  RunResult r;
  r.tests = std::move(tests);
  return r;
}

TEST(WatchVerdicts, TheFirstRunChangesNothing) {
  WatchVerdicts v;
  EXPECT_TRUE(v.record(run_of({result("a.clnrm.toml", "a", Status::Passed),
                               result("b.clnrm.toml", "b", Status::Failed)}))
                  .empty());
}

TEST(WatchVerdicts, PassToFailAndFailToPassAreReported) {
  WatchVerdicts v;
  v.record(run_of({result("a.clnrm.toml", "a", Status::Passed),
                   result("b.clnrm.toml", "b", Status::Failed),
                   result("c.clnrm.toml", "c", Status::Passed)}));
  const auto changes = v.record(run_of({result("a.clnrm.toml", "a", Status::TimedOut),
                                        result("b.clnrm.toml", "b", Status::Passed),
                                        result("c.clnrm.toml", "c", Status::Passed)}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].name, "a");
  EXPECT_FALSE(changes[0].passes_now);
  EXPECT_EQ(changes[1].name, "b");
  EXPECT_TRUE(changes[1].passes_now);
  EXPECT_EQ(describe_changes(changes), "changed verdict: a passed -> failed, b failed -> passed");
}

TEST(WatchVerdicts, OnlyTheRerunTestsAreCompared) {
  WatchVerdicts v;
  v.record(run_of(
      {result("a.clnrm.toml", "a", Status::Passed), result("b.clnrm.toml", "b", Status::Passed)}));
  EXPECT_TRUE(v.record(run_of({result("b.clnrm.toml", "b", Status::Passed)})).empty());
  // a kept its verdict from the first run.
  EXPECT_EQ(v.record(run_of({result("a.clnrm.toml", "a", Status::Failed)})).size(), 1u);
}

TEST(WatchVerdicts, RepeatsCountAsOneVerdictAndSkippedChangesNothing) {
  WatchVerdicts v;
  v.record(run_of({result("a.clnrm.toml", "a", Status::Passed)}));
  const auto changes = v.record(run_of(
      {result("a.clnrm.toml", "a", Status::Passed), result("a.clnrm.toml", "a", Status::Failed)}));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(v.record(run_of({result("a.clnrm.toml", "a", Status::Skipped)})).empty());
}

TEST(WatchVerdicts, AForgottenFileStartsAfresh) {
  WatchVerdicts v;
  v.record(run_of({result("a.clnrm.toml", "a", Status::Passed)}));
  v.forget_file("a.clnrm.toml");
  EXPECT_TRUE(v.record(run_of({result("a.clnrm.toml", "a", Status::Failed)})).empty());
}

TEST(WatchVerdicts, ASharedNameIsShownWithItsFile) {
  const std::vector<VerdictChange> changes = {{"x/t.clnrm.toml", "t", false},
                                              {"y/t.clnrm.toml", "t", true}};
  EXPECT_EQ(describe_changes(changes),
            "changed verdict: t (x/t.clnrm.toml) passed -> failed, t (y/t.clnrm.toml) failed -> "
            "passed");
  EXPECT_EQ(describe_changes({}), "no verdict changed");
}

TEST(WatchVerdicts, ListPaths) {
  EXPECT_EQ(list_paths({"a"}), "a");
  EXPECT_EQ(list_paths({"a", "b"}), "a and b");
  EXPECT_EQ(list_paths({"a", "b", "c"}), "a, b and c");
  EXPECT_EQ(list_paths({"a", "b", "c", "d"}, 2), "a, b and 2 more");
}

}  // namespace
