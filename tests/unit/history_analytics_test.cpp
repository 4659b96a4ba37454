#include <clnrm/history.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::record_run;
using clnrm::testing::TempDir;
using std::chrono::milliseconds;

namespace {

const history::FlakyTest* find_flaky(const history::FlakyReport& r, const std::string& name) {
  for (const auto& f : r.flaky) {
    if (f.test == name) return &f;
  }
  return nullptr;
}
const history::BrokenTest* find_broken(const history::FlakyReport& r, const std::string& name) {
  for (const auto& b : r.broken) {
    if (b.test == name) return &b;
  }
  return nullptr;
}

}  // namespace

TEST(HistoryFlaky, OneFailureInThreeIsFlakyAndAlwaysFailingIsBroken) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (int run = 0; run < 9; ++run) {
    record_run(store, {
                          make_test("sometimes", run % 3 == 2 ? Status::Failed : Status::Passed,
                                    milliseconds(10)),
                          make_test("always", Status::Failed, milliseconds(10)),
                          make_test("stable", Status::Passed, milliseconds(10)),
                          // Failed until its file was fixed: a change, not flakiness.
                          make_test("fixed", run < 4 ? Status::Failed : Status::Passed,
                                    milliseconds(10), run < 4 ? "old" : "new"),
                      });
  }
  const auto report = history::find_flaky(store);
  ASSERT_EQ(report.flaky.size(), 1u);
  const auto* f = find_flaky(report, "sometimes");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->runs, 9);
  EXPECT_EQ(f->failures, 3);
  // P P F P P F P P F: 5 flips over 8 consecutive pairs.
  EXPECT_EQ(f->flips, 5);
  EXPECT_DOUBLE_EQ(f->flip_rate, 5.0 / 8.0);
  EXPECT_GT(f->last_seen_ns, 0);
  EXPECT_EQ(f->file, "tests/sometimes.clnrm.toml");

  ASSERT_EQ(report.broken.size(), 1u);
  EXPECT_EQ(report.broken[0].test, "always");
  EXPECT_EQ(report.broken[0].consecutive_failures, 9);
  EXPECT_EQ(find_flaky(report, "always"), nullptr);
  EXPECT_EQ(find_flaky(report, "fixed"), nullptr);
  EXPECT_EQ(find_broken(report, "fixed"), nullptr);
}

TEST(HistoryFlaky, APassAfterARetryIsFlakyEvenWithoutAFlip) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (int run = 0; run < 3; ++run) {
    auto t = make_test("retried", Status::Passed, milliseconds(10));
    if (run == 1) {
      t.attempts = 2;
      t.flaky = true;
    }
    record_run(store, {t});
  }
  const auto report = history::find_flaky(store);
  ASSERT_EQ(report.flaky.size(), 1u);
  EXPECT_EQ(report.flaky[0].retried_passes, 1);
  EXPECT_EQ(report.flaky[0].flips, 0);
}

TEST(HistoryFlaky, ARegressionIsBrokenAndAFixIsNeitherNotFlaky) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  std::int64_t first_failing = 0;
  for (int run = 0; run < 8; ++run) {
    // "regressed": passes, then fails from run 5 on with the same file (the
    // product changed). "repaired": fails, then passes. One flip each.
    const auto id = record_run(
        store,
        {make_test("regressed", run >= 5 ? Status::Failed : Status::Passed, milliseconds(10)),
         make_test("repaired", run < 3 ? Status::Failed : Status::Passed, milliseconds(10)),
         make_test("new_failure", run == 7 ? Status::Failed : Status::Passed, milliseconds(10))});
    if (run == 5) first_failing = id;
  }
  const auto report = history::find_flaky(store);
  EXPECT_TRUE(report.flaky.empty());
  ASSERT_EQ(report.broken.size(), 1u);
  EXPECT_EQ(report.broken[0].test, "regressed");
  EXPECT_EQ(report.broken[0].consecutive_failures, 3);
  EXPECT_EQ(report.broken[0].since_run, first_failing);
}

TEST(HistoryFlaky, SkippedAndCancelledRunsAreNotOutcomes) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (auto s : {Status::Passed, Status::Skipped, Status::Cancelled, Status::Passed}) {
    record_run(store, {make_test("calm", s, milliseconds(10))});
  }
  EXPECT_TRUE(history::find_flaky(store).flaky.empty());
}

TEST(HistorySlowest, MedianAndP95PerTestSlowestFirst) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (int run = 1; run <= 20; ++run) {
    record_run(store, {make_test("slow", Status::Passed, milliseconds(100 * run)),
                       make_test("fast", Status::Passed, milliseconds(run))});
  }
  record_run(store, {make_test("slow", Status::Skipped, milliseconds(999999))});  // not a sample
  const auto slow = history::find_slowest(store, 10);
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_EQ(slow[0].test, "slow");
  EXPECT_EQ(slow[0].samples, 20);
  EXPECT_EQ(slow[0].median_ns, milliseconds(1050).count() * 1'000'000);  // (1000 + 1100) / 2
  EXPECT_EQ(slow[0].p95_ns, milliseconds(1900).count() * 1'000'000);     // nearest rank 19 of 20
  EXPECT_EQ(slow[0].max_ns, milliseconds(2000).count() * 1'000'000);
  EXPECT_EQ(slow[1].test, "fast");
  EXPECT_EQ(history::find_slowest(store, 1).size(), 1u);

  const auto steps = history::find_slowest(store, 10, /*steps=*/true);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].test, "slow / step0");
}

TEST(HistoryChangePoint, FindsASyntheticTwofoldStep) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::vector<double> x;
  for (int i = 0; i < 15; ++i) x.push_back(100e6 * (1 + noise(rng)));
  for (int i = 0; i < 15; ++i) x.push_back(200e6 * (1 + noise(rng)));
  const auto cp = history::detect_change_point(x);
  ASSERT_TRUE(cp.found) << "p=" << cp.p_value << " ratio=" << cp.ratio;
  EXPECT_EQ(cp.index, 15u);
  EXPECT_NEAR(cp.ratio, 2.0, 0.15);
  EXPECT_LT(cp.p_value, 0.01);
}

TEST(HistoryChangePoint, NoiseAloneIsNotAChange) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.10);
  std::vector<double> x;
  for (int i = 0; i < 40; ++i) x.push_back(100e6 * (1 + noise(rng)));
  EXPECT_FALSE(history::detect_change_point(x).found);
}

TEST(HistoryChangePoint, OneOutlierIsNotAChange) {
  std::vector<double> x(30, 100e6);
  x[20] = 900e6;
  EXPECT_FALSE(history::detect_change_point(x).found);
}

TEST(HistoryChangePoint, TooFewPointsIsNoVerdict) {
  EXPECT_FALSE(history::detect_change_point(std::vector<double>{1, 1, 2, 2}).found);
}

// history's change points and `clnrm bench compare` used two Mann-Whitney
// implementations that disagreed on small samples without ties: this one
// always took the normal approximation (3 vs 3 fully separated: p = 0.081),
// the gate's takes the exact distribution (p = 2/20 = 0.1, as R's
// wilcox.test). Both now use src/base/statistics.cpp; the exact one is right.
TEST(HistoryChangePoint, SmallTieFreeSegmentsUseTheExactDistribution) {
  history::ChangePointOptions options;
  options.min_segment = 3;  // six points: exactly one candidate split
  options.alpha = 1;
  const auto cp = history::detect_change_point(std::vector<double>{1, 2, 3, 10, 11, 12}, options);
  EXPECT_EQ(cp.index, 3u);
  EXPECT_NEAR(cp.p_value, 0.1, 1e-12);
  EXPECT_TRUE(cp.found);
}

TEST(HistoryChangePoint, TiedSegmentsKeepTheNormalApproximation) {
  // With ties both implementations took the normal approximation with tie
  // and continuity correction; that is unchanged: U = 0, mean 4.5,
  // sigma = sqrt(9/12 * (7 - 6/30)), z = 4/sigma, p = erfc(z / sqrt 2).
  history::ChangePointOptions options;
  options.min_segment = 3;
  options.alpha = 1;
  const auto cp = history::detect_change_point(std::vector<double>{1, 1, 3, 10, 11, 12}, options);
  const double sigma = std::sqrt(9.0 / 12.0 * (7.0 - 6.0 / 30.0));
  EXPECT_NEAR(cp.p_value, std::erfc(4.0 / sigma / std::sqrt(2.0)), 1e-12);
}

TEST(HistoryTrend, ReportsTheRunAndCommitWhereATestGotSlower) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  std::int64_t first_slow_run = 0;
  for (int run = 0; run < 24; ++run) {
    const bool slow = run >= 12;
    const auto ms = milliseconds((slow ? 210 : 100) + (run * 7) % 9);
    const auto id = record_run(
        store, {make_test("api", Status::Passed, ms), make_test("other", Status::Passed, ms)},
        "commit" + std::to_string(run));
    if (run == 12) first_slow_run = id;
  }
  const auto points = history::trend(store, "api");
  ASSERT_EQ(points.size(), 24u);
  EXPECT_LT(points.front().run, points.back().run);
  const auto cp = history::detect_change_point(points);
  ASSERT_TRUE(cp.found);
  EXPECT_EQ(cp.run, first_slow_run);
  EXPECT_EQ(cp.git_commit, "commit12");
  EXPECT_NEAR(cp.ratio, 2.1, 0.1);

  EXPECT_EQ(history::trend(store, "api", 5).size(), 5u);
  EXPECT_EQ(history::trend(store, "tests/api.clnrm.toml::api").size(), 24u);
  EXPECT_TRUE(history::trend(store, "elsewhere.toml::api").empty());
}

TEST(HistoryPredict, RecencyWeightedAndSmoothedTowardsTheSuiteRate) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  // "recent" failed in the last 2 of 10 runs, "old" in the first 2.
  for (int run = 0; run < 10; ++run) {
    record_run(store,
               {make_test("recent", run >= 8 ? Status::Failed : Status::Passed, milliseconds(5)),
                make_test("old", run < 2 ? Status::Failed : Status::Passed, milliseconds(5)),
                make_test("never", Status::Passed, milliseconds(5))});
  }
  history::PredictOptions options;
  options.half_life_runs = 5;
  options.prior_strength = 2;
  const auto report = history::predict_failures(store, options);
  EXPECT_DOUBLE_EQ(report.base_rate, 4.0 / 30.0);
  ASSERT_EQ(report.tests.size(), 3u);
  EXPECT_EQ(report.tests[0].test, "recent");
  EXPECT_EQ(report.tests[2].test, "never");
  // Hand computation of the documented formula for "recent".
  double weights = 0, weighted_failures = 0;
  for (int age = 0; age < 10; ++age) {
    const double w = std::pow(0.5, age / 5.0);
    weights += w;
    if (age < 2) weighted_failures += w;
  }
  const double expected = (2 * (4.0 / 30.0) + weighted_failures) / (2 + weights);
  EXPECT_NEAR(report.tests[0].probability, expected, 1e-12);
  EXPECT_NEAR(report.tests[0].effective_runs, weights, 1e-12);
  EXPECT_EQ(report.tests[0].failures, 2);
  EXPECT_GT(report.tests[1].probability, report.tests[2].probability);
  EXPECT_GT(report.tests[2].probability, 0.0);  // the prior keeps it off 0
}

TEST(HistoryPredict, NoFailuresAnywhereMeansZero) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (int run = 0; run < 3; ++run)
    record_run(store, {make_test("ok", Status::Passed, milliseconds(5))});
  const auto report = history::predict_failures(store);
  ASSERT_EQ(report.tests.size(), 1u);
  EXPECT_EQ(report.tests[0].probability, 0.0);
}

TEST(HistoryScheduling, MedianDurationsAndLastCompleteRunFailures) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  record_run(store, {make_test("a", Status::Passed, milliseconds(10)),
                     make_test("b", Status::Failed, milliseconds(30))});
  record_run(store, {make_test("a", Status::Failed, milliseconds(20)),
                     make_test("b", Status::Passed, milliseconds(40)),
                     make_test("c", Status::TimedOut, milliseconds(50))});
  // A later run that never finished does not count for --rerun-failed.
  const auto partial = store.begin_run(history::collect_run_meta("null", ""));
  store.record_test(partial, make_test("b", Status::Failed, milliseconds(40)));
  store.flush();

  auto medians = history::median_durations(store);
  ASSERT_EQ(medians.size(), 3u);
  EXPECT_EQ(medians[0].test, "a");
  EXPECT_EQ(medians[0].median_ns, milliseconds(15).count() * 1'000'000);
  EXPECT_EQ(medians[1].median_ns, milliseconds(40).count() * 1'000'000);

  auto failed = history::failed_in_last_complete_run(store);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].second, "a");
  EXPECT_EQ(failed[1].second, "c");
  EXPECT_EQ(failed[1].first, "tests/c.clnrm.toml");
}
