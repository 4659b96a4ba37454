// --check-determinism verdicts (src/run/determinism_verdict.cpp): a test
// whose repeats differ counts as one failure, whatever the number of repeats.
#include <clnrm/determinism_verdict.h>
#include <gtest/gtest.h>

using namespace clnrm;

namespace {

TestResult repeat_of(const std::string& name, int repeat, Status status = Status::Passed) {
  TestResult t;
  t.file = name + ".clnrm.toml";
  t.name = name;
  t.repeat = repeat;
  t.status = status;
  return t;
}

DeterminismReport differs(const std::string& name, std::vector<int> differing_repeats) {
  DeterminismReport r;
  r.test = name;
  r.file = name + ".clnrm.toml";
  r.repeats = 3;
  r.deterministic = false;
  for (int b : differing_repeats) {
    StepDifference d;
    d.step = "clock";
    d.stream = "stdout";
    d.line = 2;
    d.repeat_a = 0;
    d.repeat_b = b;
    d.text_a = "1";
    d.text_b = std::to_string(b + 1);
    r.differences.push_back(d);
  }
  return r;
}

}  // namespace

TEST(DeterminismVerdict, ATestWhoseRepeatsDifferCountsAsOneFailure) {
  RunResult run;
  for (int i = 0; i < 3; ++i) run.tests.push_back(repeat_of("clock", i));
  run.tests.push_back(repeat_of("stable", 0));
  const auto verdicts = apply_determinism_verdicts(run, {differs("clock", {1, 2})});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].counted, 1u) << "the first differing repeat";
  EXPECT_TRUE(verdicts[0].newly_failed);
  ASSERT_EQ(verdicts[0].differences.size(), 2u);
  EXPECT_NE(verdicts[0].differences[0].find("step 'clock': stdout differs at line 2"),
            std::string::npos);
  EXPECT_EQ(run.count(Status::Failed), 1u);
  EXPECT_EQ(run.count(Status::Passed), 3u);
  const TestResult& t = run.tests[1];
  EXPECT_NE(t.message.find("not deterministic: step 'clock'"), std::string::npos) << t.message;
  EXPECT_NE(t.message.find("(and 1 more differences)"), std::string::npos) << t.message;
  ASSERT_EQ(t.assertions.size(), 1u);
  EXPECT_EQ(t.assertions[0].name, "deterministic");
  EXPECT_FALSE(t.assertions[0].passed);
}

TEST(DeterminismVerdict, ARepeatThatFailedByItselfIsTheOneCounted) {
  RunResult run;
  run.tests = {repeat_of("clock", 0), repeat_of("clock", 1), repeat_of("clock", 2, Status::Failed)};
  const auto verdicts = apply_determinism_verdicts(run, {differs("clock", {1, 2})});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].counted, 2u);
  EXPECT_FALSE(verdicts[0].newly_failed);
  EXPECT_EQ(run.count(Status::Failed), 1u) << "never a second failure for the same test";
}

TEST(DeterminismVerdict, DeterministicTestsAreLeftAlone) {
  RunResult run;
  run.tests = {repeat_of("same", 0), repeat_of("same", 1)};
  DeterminismReport r;
  r.test = "same";
  r.file = "same.clnrm.toml";
  r.repeats = 2;
  EXPECT_TRUE(apply_determinism_verdicts(run, {r}).empty());
  EXPECT_TRUE(run.all_passed());
}
