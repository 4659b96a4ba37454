// Change-point detection for `clnrm history trend`.
//
// Method: try every split of the series into two segments of at least
// min_segment points and keep the one where the two-sided Mann-Whitney U
// test says the segments differ most (smallest p; src/base/statistics.cpp:
// exact for small samples without ties, else the normal approximation with
// tie and continuity correction). Ranks, not means: one slow outlier run (a
// cold cache) must not look like a regression. (Maximising the difference of
// medians alone is ambiguous: medians barely move when a split point is off
// by one or two, so noise picks among near-equal splits; ranks are not.)
// Because the split was chosen after looking at the data, its p-value is
// multiplied by the number of candidate splits (Bonferroni). The size of the
// change is the ratio of the segment medians. A change is reported when the
// corrected p < alpha and the ratio is at least min_ratio either way.
#include <algorithm>

#include "base/statistics.h"
#include "history/internal.h"

namespace clnrm::history {

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
    const double p = stats::mann_whitney(a, b).p_value;
    if (p < best_p) {
      best_p = p;
      best.index = k;
      best.median_before_ns = stats::median(a);
      best.median_after_ns = stats::median(b);
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
