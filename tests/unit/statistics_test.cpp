// The statistics of the regression gate against published reference values
// and against brute-force enumeration of the null distribution.
#include <gtest/gtest.h>

#include "base/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace clnrm::stats;

namespace {

// Exact two-sided p by enumerating every split of the pooled ranks: the
// definition, independent of the recurrence used in statistics.cpp.
double enumerated_two_sided_p(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> pooled(x);
  pooled.insert(pooled.end(), y.begin(), y.end());
  const std::size_t N = pooled.size(), n = y.size();
  auto u_of = [&](const std::vector<bool>& is_y) {
    double u = 0;
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = 0; j < N; ++j)
        if (is_y[j] && !is_y[i] && pooled[j] > pooled[i]) u += 1;
    return u;
  };
  std::vector<bool> observed(N, false);
  for (std::size_t j = x.size(); j < N; ++j) observed[j] = true;
  const double u_obs = u_of(observed);
  const double mean = static_cast<double>(x.size() * y.size()) / 2;
  std::vector<bool> mask(N, false);
  std::fill(mask.end() - static_cast<std::ptrdiff_t>(n), mask.end(), true);
  double total = 0, extreme = 0;
  do {
    const double u = u_of(mask);
    total += 1;
    if (std::abs(u - mean) >= std::abs(u_obs - mean) - 1e-9) extreme += 1;
  } while (std::next_permutation(mask.begin(), mask.end()));
  return extreme / total;
}

}  // namespace

TEST(Statistics, MedianOfOddAndEvenSamples) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(median({})));
}

TEST(Statistics, NormalQuantileInvertsTheCdf) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  for (double p : {1e-6, 0.01, 0.2, 0.7, 0.999}) EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 1e-12);
}

// R documentation, ?wilcox.test: "Hollander & Wolfe (1973), 69f. Permeability
// constants of the human chorioamnion", two-sample example:
//   wilcox.test(x, y, alternative = "g")  ->  W = 35, p-value = 0.1272
// W counts pairs with x > y; the two-sided exact p is twice that tail.
TEST(Statistics, MannWhitneyMatchesRsPublishedExample) {
  const std::vector<double> x{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
  const std::vector<double> y{1.15, 0.88, 0.90, 0.74, 1.21};
  const auto r = mann_whitney(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 50 - 35);  // ours counts y > x
  EXPECT_NEAR(r.p_value, 2 * 0.1272, 0.0002);
  EXPECT_NEAR(r.p_value, enumerated_two_sided_p(x, y), 1e-12);
}

// Published critical values: with complete separation the exact two-sided p
// is 2 / C(m+n, n): 0.1 for 3+3, 0.02857 for 4+4, 0.007937 for 5+5.
TEST(Statistics, MannWhitneyCompleteSeparationMatchesTables) {
  EXPECT_NEAR(mann_whitney({1, 2, 3}, {4, 5, 6}).p_value, 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney({1, 2, 3, 4}, {5, 6, 7, 8}).p_value, 2.0 / 70, 1e-12);
  EXPECT_NEAR(mann_whitney({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}).p_value, 2.0 / 252, 1e-12);
  // One-sided lower tail P(U <= 0) = 1 / C(m+n, n).
  EXPECT_NEAR(mann_whitney_cdf(0, 5, 5), 1.0 / 252, 1e-15);
  EXPECT_NEAR(mann_whitney_cdf(25, 5, 5), 1.0, 1e-15);
}

TEST(Statistics, MannWhitneyExactAgreesWithEnumerationOnRandomSamples) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  for (int trial = 0; trial < 12; ++trial) {
    std::vector<double> x(4 + trial % 3), y(5 + trial % 2);
    for (auto& v : x) v = noise(rng);
    for (auto& v : y) v = noise(rng) + 0.3 * trial / 4.0;
    const auto r = mann_whitney(x, y);
    ASSERT_TRUE(r.exact);
    EXPECT_NEAR(r.p_value, enumerated_two_sided_p(x, y), 1e-12) << "trial " << trial;
  }
}

// Ties force the normal approximation. By hand for x = 1..5, y = 3..7:
// pooled ranks with midranks, x ranks 1,2,3.5,5.5,7.5 = 19.5, so W_x = 4.5 and
// U (y > x) = 25 - 4.5 = 20.5; three tie pairs give sum(t^3 - t) = 18;
// var = 25/12 * (11 - 18/90) = 22.5; z = (20.5 - 12.5 - 0.5) / sqrt(22.5)
// = 1.58114; p = 2 * (1 - Phi(1.58114)) = 0.113846 (R: wilcox.test(1:5, 3:7)
// warns "cannot compute exact p-value with ties" and reports p = 0.1138).
TEST(Statistics, MannWhitneyNormalApproximationWithTiesAndContinuity) {
  const auto r = mann_whitney({1, 2, 3, 4, 5}, {3, 4, 5, 6, 7});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 20.5);
  EXPECT_NEAR(r.p_value, 0.113846, 1e-5);
}

TEST(Statistics, NormalApproximationIsCloseToExactForLargerSamples) {
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(i * 1.0);
    y.push_back(i * 1.0 + 4.5);  // no ties
  }
  const auto exact = mann_whitney(x, y);
  ASSERT_TRUE(exact.exact);
  for (int i = 0; i < 40; ++i) {  // 60 values each: beyond the exact limit
    x.push_back(100 + i * 1.0);
    y.push_back(100 + i * 1.0 + 0.25);
  }
  const auto approx = mann_whitney(x, y);
  EXPECT_FALSE(approx.exact);
  EXPECT_GT(approx.p_value, 0.0);
  EXPECT_LE(approx.p_value, 1.0);
  // And for the first 20+20 the normal approximation (forced by one tie far
  // away from the rest) stays within 0.01 of the exact value.
  std::vector<double> x2(x.begin(), x.begin() + 20), y2(y.begin(), y.begin() + 20);
  x2.push_back(-1000);
  y2.push_back(-1000);
  const auto approx2 = mann_whitney(x2, y2);
  EXPECT_FALSE(approx2.exact);
  EXPECT_NEAR(approx2.p_value, exact.p_value, 0.02);
}

TEST(Statistics, IdenticalSamplesHaveNoEvidence) {
  const std::vector<double> a{5, 6, 7, 8, 9};
  EXPECT_DOUBLE_EQ(mann_whitney(a, a).p_value, 1.0);
  const auto hl = hodges_lehmann(a, a, 0.95);
  EXPECT_DOUBLE_EQ(hl.estimate, 0.0);
  EXPECT_LE(hl.low, 0.0);
  EXPECT_GE(hl.high, 0.0);
  // All values equal: variance zero, p = 1, not NaN.
  EXPECT_DOUBLE_EQ(mann_whitney({3, 3, 3}, {3, 3, 3}).p_value, 1.0);
}

TEST(Statistics, HodgesLehmannRecoversAShiftWithAnIntervalAroundIt) {
  std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8}, y;
  for (double v : x) y.push_back(v + 10.25);
  const auto hl = hodges_lehmann(x, y, 0.95);
  EXPECT_DOUBLE_EQ(hl.estimate, 10.25);
  EXPECT_LT(hl.low, 10.25);
  EXPECT_GT(hl.high, 10.25);
  // Exact interval as R's wilcox.test(conf.int = TRUE): qwilcox(0.025, 8, 8)
  // = 14 (the published two-sided 5% critical U for 8+8 is 13), so the limits
  // are the 14th smallest and 14th largest of the 64 differences. They are
  // 10.25 + k with multiplicity 8 - |k|; k = -7..-4 hold 1+2+3+4 = 10 of them
  // and k = -3 the next 5, so the 14th smallest is 10.25 - 3.
  EXPECT_DOUBLE_EQ(hl.low, 7.25);
  EXPECT_DOUBLE_EQ(hl.high, 13.25);
}

// Holm: sorted p 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06,
// 0.04 -> running max 0.02, 0.03, 0.06, 0.06, reported in input order.
TEST(Statistics, HolmAdjustsStepDownAndKeepsInputOrder) {
  const auto adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
  EXPECT_DOUBLE_EQ(holm_adjust({0.9, 0.8})[0], 1.0);  // capped at 1
  EXPECT_TRUE(holm_adjust({}).empty());
}

TEST(Statistics, MedianOfIntegersMatchesTheDoubleMedian) {
  EXPECT_DOUBLE_EQ(median_of_integers({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of_integers({4, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(median_of_integers({})));
  // Nanosecond durations: exact, and truncation gives the integer mean.
  const std::int64_t big = 3'000'000'000'001;
  EXPECT_EQ(static_cast<std::int64_t>(median_of_integers({big, big + 2})), big + 1);
  EXPECT_EQ(static_cast<std::int64_t>(median_of_integers({big, big + 1})), big);
}

TEST(Statistics, NearestRankIndex) {
  EXPECT_EQ(nearest_rank_index(1, 0), 0u);
  EXPECT_EQ(nearest_rank_index(1, 95), 0u);
  EXPECT_EQ(nearest_rank_index(20, 0), 0u);
  EXPECT_EQ(nearest_rank_index(20, 50), 9u);
  EXPECT_EQ(nearest_rank_index(20, 95), 18u);
  EXPECT_EQ(nearest_rank_index(20, 100), 19u);
  EXPECT_EQ(nearest_rank_index(10, 95), 9u);  // ceil(9.5) = 10th value
  EXPECT_EQ(nearest_rank_index(100, 95), 94u);
}
