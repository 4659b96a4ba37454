#pragma once
// Durations as written in test files: "500ms", "2s", "1m30s", "1.5s", "1h", "250us".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

using Duration = std::chrono::milliseconds;

// Parses a duration. On failure returns nullopt and, when `error` is given,
// sets it to a one-line reason ("negative duration", "unknown unit 'x'").
// Zero is allowed; negative values and values over 30 days are rejected.
std::optional<Duration> parse_duration(std::string_view text, std::string* error = nullptr);

// "1.250s", "35ms", "2m05s": a compact human form used in reports.
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace clnrm
