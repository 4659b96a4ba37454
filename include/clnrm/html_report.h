#pragma once
// `--html FILE`: one self-contained HTML page for a run (inline CSS and SVG,
// no scripts, no network fetches): summary, a Gantt timeline of the parallel
// lanes, failures with their output, the slowest steps, and, when history
// exists, a duration sparkline per test.

#include <clnrm/result.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clnrm::history {
class Store;
}

namespace clnrm::report {

// Past durations of one test, oldest first (the current run not included).
struct DurationTrend {
  std::vector<double> seconds;
  std::vector<bool> failed;
};
using TrendsByTest = std::map<std::string, DurationTrend>;  // by test name

std::string render_html_report(const RunResult& run, const TrendsByTest* trends = nullptr);
// Writes atomically (temp file + rename). Throws Error(Io) naming the path.
void write_html_report(const RunResult& run, const std::optional<TrendsByTest>& trends,
                       const std::string& path);

// The last `last_n` recorded durations of every test in `run`, from history,
// excluding run `exclude_run` (the run being reported, when already recorded).
TrendsByTest load_trends(history::Store& store, const RunResult& run, std::size_t last_n = 30,
                         std::int64_t exclude_run = 0);


}  // namespace clnrm::report
