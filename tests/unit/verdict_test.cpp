// A run's verdict and exit code (src/suite/verdict.cpp).
#include "suite/verdict.h"

#include <gtest/gtest.h>

using namespace clnrm;

namespace {

RunResult with(Status status) {
  RunResult run;
  TestResult t;
  t.status = status;
  run.tests.push_back(t);
  return run;
}

}  // namespace

TEST(SuiteVerdict, ExitCodes) {
  EXPECT_EQ(exit_code(SuiteVerdict::Passed), 0);
  EXPECT_EQ(exit_code(SuiteVerdict::Failed), 1);
  EXPECT_EQ(exit_code(SuiteVerdict::InvalidInput), 2);
  EXPECT_EQ(exit_code(SuiteVerdict::Interrupted), 130);
}

TEST(SuiteVerdict, InterruptedOverInvalidOverFailed) {
  const RunResult passed = with(Status::Passed), failed = with(Status::Failed);
  EXPECT_EQ(suite::decide_verdict(passed, {}), SuiteVerdict::Passed);
  EXPECT_EQ(suite::decide_verdict(failed, {}), SuiteVerdict::Failed);
  EXPECT_EQ(suite::decide_verdict(passed, {.outputs_failed = true}), SuiteVerdict::Failed);
  EXPECT_EQ(suite::decide_verdict(passed, {.determinism_failed = true}), SuiteVerdict::Failed);
  EXPECT_EQ(suite::decide_verdict(passed, {.invalid_files = true}), SuiteVerdict::InvalidInput);
  EXPECT_EQ(suite::decide_verdict(failed, {.cancelled = true, .invalid_files = true}),
            SuiteVerdict::Interrupted);
}
