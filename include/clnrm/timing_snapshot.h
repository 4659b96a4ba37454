#pragma once
// A timing snapshot: each test's duration estimate, taken once from the
// history (`clnrm history timings`) and handed to every shard of a CI run
// (`clnrm run --shard K/N --timings FILE`). Every shard then splits the same
// tests by the same numbers, whatever its own history holds; the live
// history is never used for sharding (schedule::partition_shards in
// include/clnrm/schedule.h). Format: docs/running-tests.md, "Sharding across CI machines".

#include <clnrm/history.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::history {

// The "version" a snapshot file carries; a reader refuses any other.
inline constexpr int kTimingSnapshotVersion = 1;

struct TimingSnapshot {
  std::string taken_at;  // RFC 3339 UTC, when the history was read
  // One per (file, test), sorted by (file, test); median_ns >= 0.
  std::vector<HistoricalDuration> tests;
};

// Each recorded test's median duration over its last 20 passing runs (a test
// that never passed: over its last 20 outcomes, so a test that always times
// out is still known to be slow). `now_ns`: Unix nanoseconds for taken_at.
TimingSnapshot take_timing_snapshot(Store& store, std::int64_t now_ns);

// The file's text: {"format": "clnrm-timings", "version": 1, "taken_at": ...,
// "tests": [{"file", "test", "duration_ns"}, ...]}, one test per line.
std::string timing_snapshot_json(const TimingSnapshot& snapshot);

// The inverse. Throws Error(Usage) whose context is `source`, or
// `source:LINE:COLUMN` for a JSON syntax error; the message says what is
// wrong (a missing key, a negative duration, a test listed twice, another
// version). Keys it does not know are ignored.
TimingSnapshot parse_timing_snapshot(std::string_view text, const std::string& source);
// Reads `path` and parses it; a file that cannot be read is Error(Usage) naming it.
TimingSnapshot read_timing_snapshot(const std::string& path);

}  // namespace clnrm::history
