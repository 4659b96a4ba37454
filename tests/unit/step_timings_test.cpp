#include <clnrm/step_timings.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace clnrm;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

TestResult repeat_of(int repeat, std::vector<int> step_ms) {
  TestResult t;
  t.file = "f.clnrm.toml";
  t.name = "t";
  t.repeat = repeat;
  t.status = Status::Passed;
  for (std::size_t i = 0; i < step_ms.size(); ++i) {
    StepResult& s = t.steps.emplace_back();
    s.name = i == 0 ? "a" : "b";
    s.status = Status::Passed;
    s.duration = milliseconds(step_ms[i]);
  }
  return t;
}

std::vector<TestSpec> spec_with_budget_on_b(int budget_ms) {
  TestSpec spec;
  spec.file = "f.clnrm.toml";
  spec.name = "t";
  spec.steps.resize(2);
  spec.steps[0].name = "a";
  spec.steps[1].name = "b";
  spec.steps[1].max_duration = milliseconds(budget_ms);
  return {spec};
}

}  // namespace

TEST(StepTimings, PercentileIsNearestRank) {
  std::vector<nanoseconds> v;
  for (int i = 20; i >= 1; --i) v.push_back(nanoseconds(i));
  EXPECT_EQ(percentile(v, 0).count(), 1);
  EXPECT_EQ(percentile(v, 50).count(), 10);
  EXPECT_EQ(percentile(v, 95).count(), 19);
  EXPECT_EQ(percentile(v, 100).count(), 20);
  std::vector<nanoseconds> empty;
  EXPECT_EQ(percentile(empty, 50).count(), 0);
}

TEST(StepTimings, MinMedianP95PerStepOverRepeats) {
  RunResult run;
  run.tests = {repeat_of(0, {1, 30}), repeat_of(1, {3, 10}), repeat_of(2, {2, 20})};
  const auto timings = step_timings(run, spec_with_budget_on_b(1000));
  ASSERT_EQ(timings.size(), 2u);
  EXPECT_EQ(timings[0].step, "a");
  EXPECT_EQ(timings[0].runs, 3);
  EXPECT_EQ(timings[0].min, milliseconds(1));
  EXPECT_EQ(timings[0].median, milliseconds(2));
  EXPECT_EQ(timings[0].p95, milliseconds(3));
  EXPECT_FALSE(timings[0].budget.has_value());
  EXPECT_EQ(timings[1].median, milliseconds(20));
  EXPECT_FALSE(timings[1].over_budget);
}

TEST(StepTimings, EvenCountMedianIsTheMeanOfTheMiddleTwo) {
  RunResult run;
  run.tests = {repeat_of(0, {10}), repeat_of(1, {20})};
  EXPECT_EQ(step_timings(run, {})[0].median, milliseconds(15));
}

TEST(StepTimings, SkippedStepsAreLeftOut) {
  RunResult run;
  run.tests = {repeat_of(0, {10}), repeat_of(1, {20})};
  run.tests[1].steps[0].status = Status::Skipped;
  EXPECT_EQ(step_timings(run, {})[0].runs, 1);
}

TEST(StepTimings, MedianOverBudgetFailsEveryRepeatOfThatStepOnly) {
  RunResult run;
  // One slow outlier (repeat 0) does not fail a step whose median is fine...
  run.tests = {repeat_of(0, {1, 500}), repeat_of(1, {1, 10}), repeat_of(2, {1, 12})};
  auto timings = step_timings(run, spec_with_budget_on_b(100));
  EXPECT_EQ(apply_step_budgets(run, timings), 0);
  EXPECT_EQ(run.tests[0].status, Status::Passed);

  // ...a median over the budget does.
  run.tests = {repeat_of(0, {1, 500}), repeat_of(1, {1, 150}), repeat_of(2, {1, 12})};
  timings = step_timings(run, spec_with_budget_on_b(100));
  ASSERT_TRUE(timings[1].over_budget);
  EXPECT_EQ(apply_step_budgets(run, timings), 1);
  for (const TestResult& t : run.tests) {
    EXPECT_EQ(t.status, Status::Failed);
    EXPECT_EQ(t.steps[0].status, Status::Passed);
    EXPECT_EQ(t.steps[1].status, Status::Failed);
    EXPECT_EQ(t.message, "step 'b' (test 't'): median 150.0ms over max_duration 100.0ms (3 runs)");
  }
  const nlohmann::json j = step_timings_to_json(timings);
  EXPECT_EQ(j[1]["over_budget"], true);
  EXPECT_DOUBLE_EQ(j[1]["max_duration_ms"].get<double>(), 100.0);
  EXPECT_TRUE(j[0]["max_duration_ms"].is_null());
}
