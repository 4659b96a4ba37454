// Change-point detection for `clnrm history trend`.
//
// Method: try every split of the series into two segments of at least
// min_segment points and keep the one where the two-sided Mann-Whitney U
// test says the segments differ most (smallest p; normal approximation with
// tie and continuity correction). Ranks, not means: one slow outlier run (a
// cold cache) must not look like a regression. (Maximising the difference of
// medians alone is ambiguous: medians barely move when a split point is off
// by one or two, so noise picks among near-equal splits; ranks are not.)
// Because the split was chosen after looking at the data, its p-value is
// multiplied by the number of candidate splits (Bonferroni). The size of the
// change is the ratio of the segment medians. A change is reported when the
// corrected p < alpha and the ratio is at least min_ratio either way.
#include <algorithm>
#include <cmath>

#include "history/internal.h"

namespace clnrm::history {

namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Two-sided p-value of the Mann-Whitney U test of a vs b.
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  struct Item {
    double v;
    bool first;
  };
  std::vector<Item> all;
  all.reserve(a.size() + b.size());
  for (double v : a) all.push_back({v, true});
  for (double v : b) all.push_back({v, false});
  std::sort(all.begin(), all.end(), [](const Item& x, const Item& y) { return x.v < y.v; });
  const double n = static_cast<double>(all.size());
  double rank_sum_a = 0, tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].v == all[i].v) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (std::size_t k = i; k < j; ++k) rank_sum_a += all[k].first ? avg_rank : 0;
    i = j;
  }
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
  const double u = rank_sum_a - n1 * (n1 + 1) / 2.0;
  const double mu = n1 * n2 / 2.0;
  const double sigma = std::sqrt(n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1))));
  if (sigma == 0) return 1.0;  // every value equal
  const double z = std::max(0.0, std::abs(u - mu) - 0.5) / sigma;
  return std::erfc(z / std::sqrt(2.0));
}

}  // namespace

ChangePoint detect_change_point(const std::vector<double>& x, const ChangePointOptions& options) {
  ChangePoint best;
  const std::size_t m = std::max<std::size_t>(options.min_segment, 2);
  if (x.size() < 2 * m) return best;
  const std::size_t candidates = x.size() - 2 * m + 1;
  // Floor at a tiny positive value so zero durations do not make log() blow up.
  auto positive = [](double v) { return std::max(v, 1e-9); };
  double best_p = 2;
  for (std::size_t k = m; k + m <= x.size(); ++k) {
    const std::vector<double> a(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(k));
    const std::vector<double> b(x.begin() + static_cast<std::ptrdiff_t>(k), x.end());
    const double p = mann_whitney_p(a, b);
    if (p < best_p) {
      best_p = p;
      best.index = k;
      best.median_before_ns = median_of(a);
      best.median_after_ns = median_of(b);
    }
  }
  best.ratio = positive(best.median_after_ns) / positive(best.median_before_ns);
  best.p_value = std::min(1.0, best_p * static_cast<double>(candidates));
  const bool big_enough = best.ratio >= options.min_ratio || best.ratio <= 1.0 / options.min_ratio;
  best.found = best.p_value < options.alpha && big_enough;
  return best;
}

ChangePoint detect_change_point(const std::vector<TrendPoint>& points,
                                const ChangePointOptions& options) {
  std::vector<double> x;
  x.reserve(points.size());
  for (const auto& p : points) x.push_back(static_cast<double>(p.duration_ns));
  auto cp = detect_change_point(x, options);
  if (cp.index < points.size() && cp.index > 0) {
    cp.run = points[cp.index].run;
    cp.git_commit = points[cp.index].git_commit;
  }
  return cp;
}

std::vector<TrendPoint> trend(Store& store, const std::string& test, std::size_t limit) {
  auto& conn = store.impl().conn;
  // "file::name" selects one file's test when two files share a test name.
  std::string name = test, file;
  if (const auto sep = test.rfind("::"); sep != std::string::npos) {
    file = test.substr(0, sep);
    name = test.substr(sep + 2);
  }
  sql::Statement q(conn.handle(),
                   "SELECT e.run_id, e.started_ns, e.duration_ns, e.status, r.git_commit"
                   " FROM executions e JOIN runs r ON r.id = e.run_id"
                   " WHERE e.step = '' AND e.test = ?1 AND (?2 = '' OR e.file = ?2)"
                   " ORDER BY e.run_id DESC, e.id DESC LIMIT ?3",
                   conn.path());
  q.bind(1, name).bind(2, file).bind(3, static_cast<std::int64_t>(limit));
  std::vector<TrendPoint> out;
  while (q.step()) {
    const auto status = status_from_text(q.text_view(3));
    if (!status || !is_outcome(*status)) continue;
    out.push_back({q.int64(0), q.int64(1), q.int64(2), *status, q.text(4)});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace clnrm::history
