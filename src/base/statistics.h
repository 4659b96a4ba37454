#pragma once
// Rank statistics: one implementation for the benchmark regression gate
// (src/perf/compare.cpp) and change-point detection of `clnrm history trend`
// (src/history/change_point.cpp). Rank tests because run and benchmark times
// are skewed (a long right tail from preemption, cache misses, page faults):
// a t-test on them is dominated by the tail, a rank test is not.

#include <vector>

namespace clnrm::stats {

double median(std::vector<double> values);
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
