#pragma once
// Rank statistics: one implementation for the benchmark regression gate
// (src/perf/compare.cpp) and change-point detection of `clnrm history trend`
// (src/history/change_point.cpp). Rank tests because run and benchmark times
// are skewed (a long right tail from preemption, cache misses, page faults):
// a t-test on them is dominated by the tail, a rank test is not.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clnrm::stats {

// The middle value, or the mean of the two middle ones when the count is
// even; NaN when empty. The one median of the project (history, step
// timings, benchmarks).
double median(std::vector<double> values);
// The same for integers (durations in ns): exact while values stay below
// 2^53, which nanosecond durations do (104 days).
double median_of_integers(const std::vector<std::int64_t>& values);
// Nearest-rank percentile rule: the 0-based index, among n > 0 ascending
// values, of the smallest value with at least p% of the values at or below
// it (p in [0, 100]; p = 0 gives the minimum, p = 100 the maximum).
std::size_t nearest_rank_index(std::size_t n, double p);
double normal_cdf(double z);
double normal_quantile(double p);  // inverse of normal_cdf, 0 < p < 1

struct MannWhitneyResult {
  double u = 0;        // pairs (x, y) with y > x, ties count one half
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution (no ties, both n < 50)
};
// Two-sided Mann–Whitney U test of x against y. Exact distribution when both
// samples have fewer than 50 values and there are no ties (as R's
// wilcox.test); otherwise the normal approximation with tie and continuity
// correction.
MannWhitneyResult mann_whitney(const std::vector<double>& x, const std::vector<double>& y);
// P(U <= u) under the null for sample sizes m, n (no ties).
double mann_whitney_cdf(int u, int m, int n);

struct ShiftEstimate {
  double estimate = 0;  // Hodges–Lehmann: median of all y_j - x_i
  double low = 0;       // distribution-free confidence interval
  double high = 0;
};
// `confidence` e.g. 0.95. Interval from the order statistics of the pairwise
// differences (exact U quantile for small samples without ties, else normal).
ShiftEstimate hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y, double confidence);

// Holm–Bonferroni step-down adjusted p-values, in the input's order.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

}  // namespace clnrm::stats
