// run_suite's repeats on the real sandbox: warm-ups (SuiteOptions::
// warmup_repeats) run but nothing judges, records or reports them, and
// RunOptions::step_budgets = false measures steps without judging them
// (what `clnrm bench run` asks for, src/cli/bench_run_command.cpp).
#include <clnrm/error.h>
#include <clnrm/suite.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/sqlite_query.h"
#include "support/suite_scratch.h"

using namespace clnrm;
using clnrm::testing::query_int;
using suite_test::ScratchDir;
using suite_test::test_file;

namespace {

SuiteOptions sandbox_suite(const std::string& file) {
  SuiteOptions o;
  o.paths = {file};
  o.backend = "sandbox";
  o.run.jobs = 1;
  return o;
}

}  // namespace

// Two warm-ups that fail and are slow, then one fast passing run. Judged with
// the warm-ups, the verdict would fail twice over: their exit 1, and the
// step's median (0.4 s) over its 300 ms budget.
TEST(RunSuiteRepeats, WarmUpsRunButAreNotJudgedRecordedOrReported) {
  ScratchDir dir;
  const std::string file =
      dir.write("warm.clnrm.toml",
                test_file("warm", "[ $CLNRM_REPEAT -lt 2 ] && { sleep 0.4; exit 1; }; exit 0",
                          "max_duration = \"300ms\"\n"));
  SuiteOptions o = sandbox_suite(file);
  o.warmup_repeats = 2;
  o.run.repeat = 1;
  o.history_db = dir.path("history.db");
  o.outputs.json_file = dir.path("run.json");
  std::vector<int> heard;  // the observer hears every run, warm-ups first
  struct Repeats : SuiteObserver {
    std::vector<int>& out;
    std::size_t expected = 0;
    explicit Repeats(std::vector<int>& o) : out(o) {}
    void run_starting(std::size_t n) override { expected = n; }
    void test_finished(const TestResult& t) override { out.push_back(t.repeat); }
  } observer(heard);

  const SuiteOutcome outcome = run_suite(o, &observer);

  EXPECT_EQ(outcome.verdict, SuiteVerdict::Passed);
  EXPECT_EQ(observer.expected, 3u);
  EXPECT_EQ(heard, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(outcome.warmups.size(), 2u);
  for (const TestResult& t : outcome.warmups) EXPECT_EQ(t.status, Status::Failed) << t.repeat;
  ASSERT_EQ(outcome.run.tests.size(), 1u);
  EXPECT_EQ(outcome.run.tests[0].status, Status::Passed) << outcome.run.tests[0].message;
  EXPECT_EQ(outcome.run.tests[0].repeat, 2);  // CLNRM_REPEAT counts the warm-ups
  ASSERT_EQ(outcome.step_timings.size(), 1u);
  EXPECT_EQ(outcome.step_timings[0].runs, 1);
  EXPECT_FALSE(outcome.step_timings[0].over_budget);
  // History and the report hold the measured run only.
  EXPECT_EQ(query_int(o.history_db, "SELECT count(*) FROM executions WHERE step = ''"), 1);
  EXPECT_EQ(query_int(o.history_db, "SELECT count(*) FROM executions WHERE status != 'passed'"), 0);
  const nlohmann::json report = nlohmann::json::parse(ScratchDir::read(o.outputs.json_file));
  ASSERT_EQ(report["tests"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["tests"][0]["repeat"], 2);

  o.warmup_repeats = -1;
  EXPECT_THROW(run_suite(o), Error);
}

// A 300 ms step with a 100 ms budget: judged, it fails a single run at once
// and a repeated one on its median; with step_budgets off it passes both
// ways, and the timings still show it over.
TEST(RunSuiteRepeats, StepBudgetsOffMeasuresStepsWithoutJudgingThem) {
  ScratchDir dir;
  const std::string file =
      dir.write("slow.clnrm.toml", test_file("slow", "sleep 0.3", "max_duration = \"100ms\"\n"));
  for (const int repeat : {1, 2}) {
    SuiteOptions judged = sandbox_suite(file);
    judged.run.repeat = repeat;
    const SuiteOutcome failed = run_suite(judged);
    EXPECT_EQ(failed.verdict, SuiteVerdict::Failed) << "repeat " << repeat;

    SuiteOptions measured = judged;
    measured.run.step_budgets = false;
    const SuiteOutcome passed = run_suite(measured);
    EXPECT_EQ(passed.verdict, SuiteVerdict::Passed) << "repeat " << repeat;
    ASSERT_EQ(passed.run.tests.size(), static_cast<std::size_t>(repeat));
    for (const TestResult& t : passed.run.tests) {
      EXPECT_EQ(t.status, Status::Passed) << t.message;
      ASSERT_EQ(t.steps.size(), 1u);
      EXPECT_EQ(t.steps[0].status, Status::Passed) << t.steps[0].message;
      EXPECT_GE(t.steps[0].duration, std::chrono::milliseconds(300));
    }
    if (repeat > 1) {
      ASSERT_EQ(passed.step_timings.size(), 1u);
      EXPECT_TRUE(passed.step_timings[0].over_budget);
    }
  }
}
