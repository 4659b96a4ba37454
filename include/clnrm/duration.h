#pragma once
// Durations as written in test files: "500ms", "2s", "1m30s", "1.5s", "1h", "250us".

#include <clnrm/parsed.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

using Duration = std::chrono::milliseconds;

// Parses a duration, or says why not in one line ("negative duration",
// "unknown unit 'x'"). Zero is allowed; negative values and values over 30
// days are rejected.
Parsed<Duration> parse_duration(std::string_view text);

// The same grammar at nanosecond precision, for sub-millisecond figures
// (benchmark budgets: "50us"). parse_duration is this, rounded to ms.
Parsed<std::chrono::nanoseconds> parse_duration_ns(std::string_view text);

// "1.250s", "35.0ms", "2m05s": a compact human form used in reports, for one
// measured duration. Two other formatters have other jobs and are kept apart
// on purpose: perf::format_value (include/clnrm/perf.h) gives every figure of
// a comparison table 3 significant digits from a fractional median ("12.3 µs",
// "1.20 ms": columns read alike and a sub-nanosecond median keeps its
// digits), and the HTML timeline's tick_label (src/report/html_report.cpp)
// rounds an axis tick to its step ("500ms", "2s").
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace clnrm
