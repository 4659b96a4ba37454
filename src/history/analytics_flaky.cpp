// `clnrm history flaky`: outcome flips under an unchanged file hash.
//
// One ordered walk over the covering index executions_test_history (test,
// file, run_id, ...): every (file, test) group arrives in run order, so flips
// and failure streaks are counted in a single pass without sorting.
#include <algorithm>
#include <tuple>

#include "history/internal.h"

namespace clnrm::history {

namespace {

struct Group {
  std::string test, file;
  FlakyTest flaky;
  bool has_prev = false;
  bool prev_failed = false;
  std::string prev_hash;
  std::int64_t pairs = 0;
  // Outcomes and failures under the latest file hash: broken = all failed.
  std::int64_t current_runs = 0, current_failures = 0, current_since = 0;
};

void finish_group(Group& g, FlakyReport& report) {
  if (g.flaky.runs == 0) return;
  if (g.current_runs >= 2 && g.current_failures == g.current_runs) {
    BrokenTest b{g.file, g.test, g.current_failures, g.current_since, g.flaky.last_run};
    report.broken.push_back(std::move(b));
    return;  // fails every time now: broken, whatever it did before
  }
  if (g.flaky.flips == 0 && g.flaky.retried_passes == 0) return;
  g.flaky.file = g.file;
  g.flaky.test = g.test;
  g.flaky.flip_rate = g.pairs ? static_cast<double>(g.flaky.flips) / static_cast<double>(g.pairs) : 0.0;
  report.flaky.push_back(std::move(g.flaky));
}

}  // namespace

FlakyReport find_flaky(Store& store) {
  auto& conn = store.impl().conn;
  sql::Statement q(conn.handle(),
                   "SELECT test, file, run_id, status, file_hash, attempts, flaky, started_ns"
                   " FROM executions INDEXED BY executions_test_history WHERE step = ''"
                   " ORDER BY test, file, run_id",
                   conn.path());
  FlakyReport report;
  Group g;
  bool have_group = false;
  while (q.step()) {
    const auto test = q.text_view(0);
    const auto file = q.text_view(1);
    if (!have_group || test != g.test || file != g.file) {
      if (have_group) finish_group(g, report);
      g = Group{};
      g.test = test;
      g.file = file;
      have_group = true;
    }
    const auto status = status_from_text(q.text_view(3));
    if (!status || !is_outcome(*status)) continue;
    const auto run = q.int64(2);
    const auto hash = q.text_view(4);
    const bool failed = is_failure(*status);
    const bool retried_pass = !failed && (q.int64(6) != 0 || q.int64(5) > 1);
    const auto started = q.int64(7);

    auto& f = g.flaky;
    ++f.runs;
    f.failures += failed;
    f.last_run = run;
    if (g.has_prev && g.prev_hash == hash) {
      ++g.pairs;
      if (g.prev_failed != failed) {
        ++f.flips;
        f.last_seen_ns = started;
      }
    }
    if (retried_pass) {
      ++f.retried_passes;
      f.last_seen_ns = started;
    }
    if (!g.has_prev || g.prev_hash != hash) {
      g.current_runs = g.current_failures = 0;
      g.current_since = run;
    }
    ++g.current_runs;
    g.current_failures += failed;
    g.has_prev = true;
    g.prev_failed = failed;
    g.prev_hash = hash;
  }
  if (have_group) finish_group(g, report);

  std::sort(report.flaky.begin(), report.flaky.end(), [](const FlakyTest& a, const FlakyTest& b) {
    if (a.flip_rate != b.flip_rate) return a.flip_rate > b.flip_rate;
    if (a.flips != b.flips) return a.flips > b.flips;
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  std::sort(report.broken.begin(), report.broken.end(), [](const BrokenTest& a, const BrokenTest& b) {
    if (a.consecutive_failures != b.consecutive_failures) return a.consecutive_failures > b.consecutive_failures;
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  return report;
}

}  // namespace clnrm::history
