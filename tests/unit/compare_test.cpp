// The regression gate on synthetic results: verdicts need significance AND
// size, Holm protects the suite, budgets gate absolutely.
#include <clnrm/perf.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

using namespace clnrm::perf;

namespace {

std::vector<double> noisy(double centre, double relative_noise, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(centre * std::exp(relative_noise * z(rng)));
  return out;
}

BenchmarkResults results(std::vector<std::pair<std::string, std::vector<double>>> benchmarks, std::string source) {
  BenchmarkResults r;
  r.source = std::move(source);
  for (auto& [name, values] : benchmarks) r.benchmarks.push_back(BenchmarkSamples{name, values, false, {}});
  return r;
}

}  // namespace

TEST(Compare, IdenticalInputsGiveNoChange) {
  const auto samples = noisy(1000, 0.1, 10, 1);
  const auto base = results({{"BM_A", samples}}, "base.json");
  const auto report = compare(base, base, {});
  ASSERT_EQ(report.rows.size(), 1u);
  const auto& row = report.rows[0];
  EXPECT_EQ(row.verdict, Verdict::Ok);
  EXPECT_DOUBLE_EQ(row.median_change, 0.0);
  EXPECT_DOUBLE_EQ(row.ratio, 1.0);
  EXPECT_NEAR(row.p_value, 1.0, 1e-12);
  EXPECT_EQ(report.exit_code(), 0);
}

TEST(Compare, DoublingWithNoiseIsABlocker) {
  const auto report = compare(results({{"BM_A", noisy(1000, 0.05, 10, 2)}}, "b"),
                              results({{"BM_A", noisy(2000, 0.05, 10, 3)}}, "n"), {});
  const auto& row = report.rows.at(0);
  EXPECT_EQ(row.verdict, Verdict::Blocker);
  EXPECT_GT(row.ratio_low, 1.5);
  EXPECT_LT(row.p_adjusted, 0.05);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(Compare, ThreePercentShiftInTwentyPercentNoiseGetsNoVerdict) {
  for (unsigned seed = 0; seed < 25; ++seed) {
    const auto report = compare(results({{"BM_A", noisy(1000, 0.2, 10, 100 + seed)}}, "b"),
                                results({{"BM_A", noisy(1030, 0.2, 10, 200 + seed)}}, "n"), {});
    const auto v = report.rows.at(0).verdict;
    EXPECT_TRUE(v == Verdict::Ok || v == Verdict::Improved) << "seed " << seed << ": " << to_string(v);
    EXPECT_NE(v, Verdict::Improved) << "seed " << seed;
  }
}

TEST(Compare, SizeWithoutSignificanceIsNoVerdict) {
  // Three samples each side, 2x apart: large but the exact two-sided p for
  // 3+3 is at best 0.1 > 0.05, so no verdict is allowed.
  const auto report = compare(results({{"BM_A", {100, 101, 102}}}, "b"), results({{"BM_A", {200, 201, 202}}}, "n"), {});
  EXPECT_EQ(report.rows.at(0).verdict, Verdict::Ok);
  EXPECT_NEAR(report.rows.at(0).p_value, 0.1, 1e-12);
}

TEST(Compare, SignificantButSmallIsNoVerdict) {
  // 5% slower, very little noise: significant, but below the warning level.
  const auto report = compare(results({{"BM_A", noisy(1000, 0.002, 10, 4)}}, "b"),
                              results({{"BM_A", noisy(1050, 0.002, 10, 5)}}, "n"), {});
  EXPECT_LT(report.rows.at(0).p_adjusted, 0.05);
  EXPECT_EQ(report.rows.at(0).verdict, Verdict::Ok);
}

TEST(Compare, LevelsFollowTheIntervalLowerBound) {
  auto verdict_for = [](double factor) {
    const auto report = compare(results({{"BM_A", noisy(1000, 0.002, 12, 6)}}, "b"),
                                results({{"BM_A", noisy(1000 * factor, 0.002, 12, 7)}}, "n"), {});
    return report.rows.at(0).verdict;
  };
  EXPECT_EQ(verdict_for(1.20), Verdict::Warning);
  EXPECT_EQ(verdict_for(1.40), Verdict::Critical);
  EXPECT_EQ(verdict_for(1.70), Verdict::Blocker);
  EXPECT_EQ(verdict_for(0.70), Verdict::Improved);
}

TEST(Compare, WarningsOnlyExitWithThree) {
  const auto report = compare(results({{"BM_A", noisy(1000, 0.002, 12, 8)}}, "b"),
                              results({{"BM_A", noisy(1200, 0.002, 12, 9)}}, "n"), {});
  EXPECT_EQ(report.rows.at(0).verdict, Verdict::Warning);
  EXPECT_EQ(report.exit_code(), 3);
}

TEST(Compare, HolmKeepsABorderlineResultFromCountingInALargeSuite) {
  // One benchmark with an exact p of 2/252 = 0.0079 (5 vs 5, complete
  // separation, 2x slower). Alone it is a blocker; among 10 benchmarks Holm
  // multiplies it by 10 and it is no longer significant.
  std::vector<std::pair<std::string, std::vector<double>>> base{{"BM_Slow", {100, 101, 102, 103, 104}}};
  std::vector<std::pair<std::string, std::vector<double>>> fresh{{"BM_Slow", {200, 201, 202, 203, 204}}};
  EXPECT_EQ(compare(results(base, "b"), results(fresh, "n"), {}).rows.at(0).verdict, Verdict::Blocker);
  for (int i = 0; i < 9; ++i) {
    const std::string name = "BM_Other" + std::to_string(i);
    base.push_back({name, {10, 11, 12, 13, 14}});
    fresh.push_back({name, {10.5, 11.5, 12.5, 13.5, 9.5}});
  }
  const auto report = compare(results(base, "b"), results(fresh, "n"), {});
  const auto& slow = report.rows.at(0);
  EXPECT_NEAR(slow.p_value, 2.0 / 252, 1e-12);
  EXPECT_NEAR(slow.p_adjusted, 10 * 2.0 / 252, 1e-12);
  EXPECT_EQ(slow.verdict, Verdict::Ok);
}

TEST(Compare, NewMissingAndFailedBenchmarksAreReported) {
  auto base = results({{"BM_Gone", {1, 2, 3}}, {"BM_Kept", {1, 2, 3}}}, "b");
  auto fresh = results({{"BM_Kept", {1, 2, 3}}, {"BM_Added", {1, 2, 3}}}, "n");
  fresh.benchmarks.push_back(BenchmarkSamples{"BM_Broken", {}, false, "out of memory"});
  const auto report = compare(base, fresh, {});
  EXPECT_EQ(report.count(Verdict::New), 1u);
  EXPECT_EQ(report.count(Verdict::Missing), 1u);
  EXPECT_EQ(report.count(Verdict::Failed), 1u);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(Compare, BudgetCeilingAndNoiseApply) {
  CompareOptions options;
  options.budgets = parse_budgets(R"(
[[budget]]
match = "BM_Fast*"
max = "1.5us"
noise = "10%"
)",
                                  "budgets.toml");
  // 20% slower: a warning without noise, nothing with 10% noise added
  // (warning at 25%); but the median 1.8 µs is over the 1.5 µs ceiling.
  const auto report = compare(results({{"BM_FastPath", noisy(1500, 0.002, 12, 10)}}, "b"),
                              results({{"BM_FastPath", noisy(1800, 0.002, 12, 11)}}, "n"), options);
  const auto& row = report.rows.at(0);
  EXPECT_EQ(row.verdict, Verdict::Ok);
  EXPECT_NEAR(row.thresholds.warning, 0.25, 1e-12);
  EXPECT_TRUE(row.budget_exceeded);
  EXPECT_NE(row.note.find("budgets.toml:2"), std::string::npos) << row.note;
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(Compare, RenderersNameEveryBenchmarkAndVerdict) {
  const auto report = compare(results({{"BM_A<1>", noisy(1000, 0.05, 10, 2)}}, "b.json"),
                              results({{"BM_A<1>", noisy(2000, 0.05, 10, 3)}}, "n.json"), {});
  EXPECT_NE(render_text(report).find("blocker"), std::string::npos);
  const auto md = render_markdown(report);
  EXPECT_NE(md.find("| `BM_A<1>` |"), std::string::npos);
  EXPECT_NE(md.find("FAILED"), std::string::npos);
  const auto html = render_html(report);
  EXPECT_NE(html.find("BM_A&lt;1&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://www.w3.org/2000/svg"), html.find("http"));  // only the SVG namespace
  EXPECT_NE(render_json(report).find("\"verdict\": \"blocker\""), std::string::npos);
}

TEST(Compare, DeterministicInstructionCountsGateAtTwoPercentAcrossASuite) {
  // Callgrind counts barely vary between repetitions: all ten samples of a
  // side are tied. The rank test still separates them (normal approximation
  // with tie correction, p = 1.6e-5), enough to survive Holm over 25
  // benchmarks, and the interval collapses to the exact ratio.
  std::vector<std::pair<std::string, std::vector<double>>> base, fresh;
  for (int i = 0; i < 25; ++i) {
    const std::string name = "BM_" + std::to_string(i);
    const double count = 1000.0 + i;
    base.push_back({name, std::vector<double>(10, count)});
    fresh.push_back({name, std::vector<double>(10, i == 0 ? count * 1.03 : (i == 1 ? count * 1.015 : count))});
  }
  CompareOptions options;
  options.metric = Metric::Instructions;
  const auto report = compare(results(base, "b"), results(fresh, "n"), options);
  EXPECT_EQ(report.rows.at(0).verdict, Verdict::Critical);  // +3% >= 2%
  EXPECT_NEAR(report.rows.at(0).ratio_low, 1.03, 1e-9);
  EXPECT_LT(report.rows.at(0).p_adjusted, 0.05);
  EXPECT_EQ(report.rows.at(1).verdict, Verdict::Warning);  // +1.5%
  for (std::size_t i = 2; i < report.rows.size(); ++i) EXPECT_EQ(report.rows[i].verdict, Verdict::Ok);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(Compare, FlagsExactlyThePlantedRegressionsAmongHeavyTailedNoise) {
  // 30 benchmarks, 10 repetitions a side, 5% lognormal noise plus, in a third
  // of the unplanted ones, one repetition hit 2-4x by "preemption". Planted:
  // +35%, +60%, +100%. Over several seeds, exactly the planted ones are
  // flagged and none of the noisy ones.
  for (unsigned seed = 0; seed < 8; ++seed) {
    std::mt19937 rng(1000 + seed);
    std::uniform_real_distribution<double> outlier(2.0, 4.0);
    std::uniform_int_distribution<int> which(0, 9);
    std::vector<std::pair<std::string, std::vector<double>>> base, fresh;
    const std::map<int, double> planted{{4, 1.35}, {11, 1.60}, {23, 2.00}};
    for (int i = 0; i < 30; ++i) {
      const double centre = 100.0 * (1 + i);
      auto b = noisy(centre, 0.05, 10, seed * 100 + static_cast<unsigned>(i));
      auto n = noisy(centre * (planted.count(i) ? planted.at(i) : 1.0), 0.05, 10, seed * 100 + 50 + static_cast<unsigned>(i));
      if (!planted.count(i) && i % 3 == 0) {
        b[static_cast<std::size_t>(which(rng))] *= outlier(rng);
        n[static_cast<std::size_t>(which(rng))] *= outlier(rng);
        n[static_cast<std::size_t>(which(rng))] *= outlier(rng);
      }
      base.push_back({"BM_" + std::to_string(i), b});
      fresh.push_back({"BM_" + std::to_string(i), n});
    }
    const auto report = compare(results(base, "b"), results(fresh, "n"), {});
    for (int i = 0; i < 30; ++i) {
      const auto v = report.rows.at(static_cast<std::size_t>(i)).verdict;
      const bool flagged = v == Verdict::Warning || v == Verdict::Critical || v == Verdict::Blocker;
      EXPECT_EQ(flagged, planted.count(i) == 1) << "seed " << seed << " BM_" << i << ": " << to_string(v);
    }
    EXPECT_EQ(report.rows.at(23).verdict, Verdict::Blocker) << "seed " << seed;
  }
}
