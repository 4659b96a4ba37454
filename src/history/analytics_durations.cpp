// Duration statistics: `clnrm history slowest`, and the medians the scheduler
// uses for --order history and the timing snapshot --shard reads
// (`clnrm history timings`).
#include <clnrm/timing_snapshot.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "base/statistics.h"
#include "base/utc_time.h"
#include "history/test_rows.h"

namespace clnrm::history {

namespace {

// Scheduling follows the recent past: a test that got faster last week
// should not be planned on last year's numbers.
constexpr std::size_t kMedianWindow = 20;

}  // namespace

std::vector<SlowTest> find_slowest(Store& store, std::size_t limit, bool steps) {
  auto& conn = store.impl().conn;
  std::vector<SlowTest> out;
  // Median, p95 and max by selection, not a full sort: O(n) per test.
  auto emit = [&](std::string file, std::string test, std::vector<std::int64_t>& d) {
    if (d.empty()) return;
    const auto n = d.size();
    const auto max = *std::max_element(d.begin(), d.end());
    const double median = stats::median_of_integers(d);
    const std::size_t p95_index = stats::nearest_rank_index(n, 95);
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(p95_index), d.end());
    const auto p95 = d[p95_index];
    out.push_back({std::move(file), std::move(test), static_cast<std::int64_t>(n),
                   static_cast<std::int64_t>(median), p95, max});
  };
  if (!steps) {
    for (auto& h : load_test_histories(store)) {
      std::vector<std::int64_t> d;
      d.reserve(h.rows.size());
      for (const auto& r : h.rows) {
        if (is_outcome(r.status)) d.push_back(r.duration_ns);
      }
      emit(std::move(h.file), std::move(h.test), d);
    }
  } else {
    // Step rows have no index of their own (it would tax every insert); a
    // full scan into a hash map.
    sql::Statement q(
        conn.handle(),
        "SELECT test, file, step, duration_ns, status FROM executions WHERE step <> ''",
        conn.path());
    std::unordered_map<std::string, std::vector<std::int64_t>> groups;
    while (q.step()) {
      const auto status = status_from_text(q.text_view(4));
      if (!status || !is_outcome(*status)) continue;
      std::string key = q.text(1) + '\n' + q.text(0) + " / " + q.text(2);
      groups[std::move(key)].push_back(q.int64(3));
    }
    for (auto& [key, d] : groups) {
      const auto nl = key.find('\n');
      emit(key.substr(0, nl), key.substr(nl + 1), d);
    }
  }
  std::sort(out.begin(), out.end(), [](const SlowTest& a, const SlowTest& b) {
    if (a.median_ns != b.median_ns) return a.median_ns > b.median_ns;
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  if (limit && out.size() > limit) out.resize(limit);
  return out;
}

namespace {

// The median of the last kMedianWindow rows of `h` whose status `counts`;
// nullopt when none does.
template <class Counts>
std::optional<std::int64_t> recent_median(const TestHistory& h, Counts counts) {
  std::vector<std::int64_t> d;
  for (auto it = h.rows.rbegin(); it != h.rows.rend() && d.size() < kMedianWindow; ++it) {
    if (counts(it->status)) d.push_back(it->duration_ns);
  }
  if (d.empty()) return std::nullopt;
  return static_cast<std::int64_t>(stats::median_of_integers(d));
}

}  // namespace

std::vector<HistoricalDuration> median_durations(Store& store) {
  std::vector<HistoricalDuration> out;
  for (auto& h : load_test_histories(store)) {
    if (const auto m = recent_median(h, is_outcome))
      out.push_back({std::move(h.file), std::move(h.test), *m});
  }
  std::sort(out.begin(), out.end(), [](const HistoricalDuration& a, const HistoricalDuration& b) {
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  return out;
}

TimingSnapshot take_timing_snapshot(Store& store, std::int64_t now_ns) {
  TimingSnapshot snapshot;
  snapshot.taken_at = format_utc(now_ns, UtcStyle::Rfc3339);
  for (auto& h : load_test_histories(store)) {
    // Passing runs say how long the whole test takes; a failure may stop early.
    auto m = recent_median(h, [](Status s) { return s == Status::Passed; });
    if (!m) m = recent_median(h, is_outcome);
    if (m) snapshot.tests.push_back({std::move(h.file), std::move(h.test), *m});
  }
  std::sort(snapshot.tests.begin(), snapshot.tests.end(),
            [](const HistoricalDuration& a, const HistoricalDuration& b) {
              return std::tie(a.file, a.test) < std::tie(b.file, b.test);
            });
  return snapshot;
}

std::vector<std::pair<std::string, std::string>> failed_in_last_complete_run(Store& store) {
  auto last = store.last_complete_run();
  if (!last) return {};
  auto& conn = store.impl().conn;
  sql::Statement q(conn.handle(),
                   "SELECT file, test FROM executions WHERE run_id = ?1 AND step = ''"
                   " AND status IN ('failed', 'error', 'timed_out', 'cancelled') ORDER BY id",
                   conn.path());
  q.bind(1, last->id);
  std::vector<std::pair<std::string, std::string>> out;
  while (q.step()) out.emplace_back(q.text(0), q.text(1));
  return out;
}

}  // namespace clnrm::history
