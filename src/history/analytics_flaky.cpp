// `clnrm history flaky`: outcome flips under an unchanged file hash.
#include <algorithm>
#include <tuple>

#include "history/test_rows.h"

namespace clnrm::history {

// Flaky: the outcome flipped at least twice between consecutive runs with the
// same file hash, or the test passed only after a retry. One flip is a
// regression or a fix, not flakiness. Broken: not flaky, and failed its last
// two or more runs in a row (always failing, or failing since a regression).
FlakyReport find_flaky(Store& store) {
  FlakyReport report;
  for (auto& h : load_test_histories(store)) {
    FlakyTest f;
    bool has_prev = false, prev_failed = false;
    std::uint32_t prev_hash = 0;
    std::int64_t pairs = 0, streak = 0, streak_since = 0;
    for (const auto& r : h.rows) {
      if (!is_outcome(r.status)) continue;
      const bool failed = is_failure(r.status);
      ++f.runs;
      f.failures += failed;
      f.last_run = r.run;
      if (has_prev && prev_hash == r.hash_id) {
        ++pairs;
        if (prev_failed != failed) {
          ++f.flips;
          f.last_seen_ns = r.started_ns;
        }
      }
      if (!failed && (r.flaky || r.attempts > 1)) {
        ++f.retried_passes;
        f.last_seen_ns = r.started_ns;
      }
      if (failed) {
        if (streak++ == 0) streak_since = r.run;
      } else {
        streak = 0;
      }
      has_prev = true;
      prev_failed = failed;
      prev_hash = r.hash_id;
    }
    if (f.runs == 0) continue;
    if (f.flips >= 2 || f.retried_passes > 0) {
      f.file = std::move(h.file);
      f.test = std::move(h.test);
      f.flip_rate = pairs ? static_cast<double>(f.flips) / static_cast<double>(pairs) : 0.0;
      report.flaky.push_back(std::move(f));
    } else if (streak >= 2) {
      report.broken.push_back(
          {std::move(h.file), std::move(h.test), streak, streak_since, f.last_run});
    }
  }
  std::sort(report.flaky.begin(), report.flaky.end(), [](const FlakyTest& a, const FlakyTest& b) {
    if (a.flip_rate != b.flip_rate) return a.flip_rate > b.flip_rate;
    if (a.flips != b.flips) return a.flips > b.flips;
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  std::sort(report.broken.begin(), report.broken.end(),
            [](const BrokenTest& a, const BrokenTest& b) {
              if (a.consecutive_failures != b.consecutive_failures)
                return a.consecutive_failures > b.consecutive_failures;
              return std::tie(a.test, a.file) < std::tie(b.test, b.file);
            });
  return report;
}

}  // namespace clnrm::history
