// Rank statistics (see statistics.h for who uses them and why ranks).
#include "base/statistics.h"

#include <clnrm/error.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace clnrm::stats {

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double median_of_integers(const std::vector<std::int64_t>& values) {
  return median(std::vector<double>(values.begin(), values.end()));
}

std::size_t nearest_rank_index(std::size_t n, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  return std::clamp<std::size_t>(rank, 1, n) - 1;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw Error(ErrorKind::Internal, "normal_quantile needs 0 < p < 1");
  // Acklam's rational approximation, then one Newton step on erfc for full
  // double precision.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

namespace {

// Frequencies of U (pairs with y > x) for sizes m, n: the largest of the m+n
// values is either a y (beating all m x's) or an x, so
//   f(m, n, u) = f(m, n-1, u-m) + f(m-1, n, u).
// Doubles: C(98, 49) ~ 2.5e28 fits easily, and only ratios are used.
std::vector<double> u_frequencies(int m, int n) {
  // table[i][j] = frequencies for sizes i, j
  std::vector<std::vector<std::vector<double>>> table(
      static_cast<std::size_t>(m) + 1, std::vector<std::vector<double>>(static_cast<std::size_t>(n) + 1));
  for (int i = 0; i <= m; ++i) {
    for (int j = 0; j <= n; ++j) {
      auto& f = table[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      f.assign(static_cast<std::size_t>(i * j) + 1, 0.0);
      if (i == 0 || j == 0) {
        f[0] = 1;
        continue;
      }
      const auto& y_largest = table[static_cast<std::size_t>(i)][static_cast<std::size_t>(j - 1)];
      const auto& x_largest = table[static_cast<std::size_t>(i - 1)][static_cast<std::size_t>(j)];
      for (std::size_t u = 0; u < f.size(); ++u) {
        double v = 0;
        if (u >= static_cast<std::size_t>(i) && u - static_cast<std::size_t>(i) < y_largest.size())
          v += y_largest[u - static_cast<std::size_t>(i)];
        if (u < x_largest.size()) v += x_largest[u];
        f[u] = v;
      }
    }
  }
  return table[static_cast<std::size_t>(m)][static_cast<std::size_t>(n)];
}

double cdf_from(const std::vector<double>& freq, int u) {
  if (u < 0) return 0;
  const double total = std::accumulate(freq.begin(), freq.end(), 0.0);
  double below = 0;
  for (int k = 0; k <= u && k < static_cast<int>(freq.size()); ++k) below += freq[static_cast<std::size_t>(k)];
  return std::min(1.0, below / total);
}

bool has_ties(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> all(x);
  all.insert(all.end(), y.begin(), y.end());
  std::sort(all.begin(), all.end());
  return std::adjacent_find(all.begin(), all.end()) != all.end();
}

bool use_exact(const std::vector<double>& x, const std::vector<double>& y) {
  return x.size() < 50 && y.size() < 50 && !has_ties(x, y);
}

// sum over tie groups of t^3 - t in the pooled sample
double tie_term(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> all(x);
  all.insert(all.end(), y.begin(), y.end());
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j] == all[i]) ++j;
    const double t = static_cast<double>(j - i);
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

double u_variance(const std::vector<double>& x, const std::vector<double>& y) {
  const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size()), N = m + n;
  return m * n / 12.0 * ((N + 1) - tie_term(x, y) / (N * (N - 1)));
}

}  // namespace

double mann_whitney_cdf(int u, int m, int n) { return cdf_from(u_frequencies(m, n), u); }

MannWhitneyResult mann_whitney(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitneyResult r;
  if (x.empty() || y.empty()) return r;
  for (double a : x)
    for (double b : y) r.u += b > a ? 1.0 : (b == a ? 0.5 : 0.0);
  const int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  const double mean = static_cast<double>(m) * n / 2.0;
  if (use_exact(x, y)) {
    r.exact = true;
    const auto freq = u_frequencies(m, n);
    const int u = static_cast<int>(r.u);  // integral without ties
    // As R: the tail on the side of the observation, doubled.
    const double tail = r.u > mean ? 1.0 - cdf_from(freq, u - 1) : cdf_from(freq, u);
    r.p_value = std::min(1.0, 2 * tail);
    return r;
  }
  const double variance = u_variance(x, y);
  if (variance <= 0) return r;  // every value tied: no evidence of anything
  double z = r.u - mean;
  const double correction = z > 0 ? 0.5 : (z < 0 ? -0.5 : 0.0);
  z = (z - correction) / std::sqrt(variance);
  r.p_value = std::min(1.0, 2 * std::min(normal_cdf(z), normal_cdf(-z)));
  return r;
}

ShiftEstimate hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y, double confidence) {
  ShiftEstimate s;
  if (x.empty() || y.empty()) return s;
  std::vector<double> diffs;
  diffs.reserve(x.size() * y.size());
  for (double a : x)
    for (double b : y) diffs.push_back(b - a);
  std::sort(diffs.begin(), diffs.end());
  s.estimate = median(diffs);
  const int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  const int mn = m * n;
  const double alpha = 1 - confidence;
  // qu: 1-based index of the lower limit among the sorted differences.
  int qu;
  if (use_exact(x, y)) {
    const auto freq = u_frequencies(m, n);
    qu = 0;  // smallest q with P(U <= q) >= alpha/2 (R's qwilcox)
    while (qu < mn && cdf_from(freq, qu) < alpha / 2) ++qu;
  } else {
    const double sd = std::sqrt(std::max(0.0, u_variance(x, y)));
    qu = static_cast<int>(std::floor(mn / 2.0 - normal_quantile(1 - alpha / 2) * sd));
  }
  qu = std::clamp(qu, 1, mn);
  const int upper = std::clamp(mn - qu + 1, 1, mn);
  s.low = diffs[static_cast<std::size_t>(qu - 1)];
  s.high = diffs[static_cast<std::size_t>(upper - 1)];
  if (s.low > s.high) std::swap(s.low, s.high);
  return s;
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const std::size_t k = p_values.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(k);
  double running = 0;
  for (std::size_t rank = 0; rank < k; ++rank) {
    const double v = std::min(1.0, static_cast<double>(k - rank) * p_values[order[rank]]);
    running = std::max(running, v);  // step-down: never below an earlier one
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace clnrm::stats
