// History -> the sparklines of the HTML report.
#include <clnrm/history.h>
#include <clnrm/html_report.h>

namespace clnrm::report {

TrendsByTest load_trends(history::Store& store, const RunResult& run, std::size_t last_n,
                         std::int64_t exclude_run) {
  TrendsByTest out;
  for (const auto& t : run.tests) {
    if (out.count(t.name)) continue;
    auto points = history::trend(store, t.file + "::" + t.name, last_n + 1);
    if (points.empty()) points = history::trend(store, t.name, last_n + 1);
    DurationTrend trend;
    for (const auto& p : points) {
      if (p.run == exclude_run) continue;
      trend.seconds.push_back(static_cast<double>(p.duration_ns) / 1e9);
      trend.failed.push_back(is_failure(p.status));
    }
    if (trend.seconds.size() > last_n) {
      const auto drop = static_cast<std::ptrdiff_t>(trend.seconds.size() - last_n);
      trend.seconds.erase(trend.seconds.begin(), trend.seconds.begin() + drop);
      trend.failed.erase(trend.failed.begin(), trend.failed.begin() + drop);
    }
    if (!trend.seconds.empty()) out.emplace(t.name, std::move(trend));
  }
  return out;
}

}  // namespace clnrm::report
