#pragma once
// The one UTC formatter: every timestamp clnrm writes (reports, history,
// bench files, libfaketime's clock) goes through format_utc, in one of the
// styles below. No gmtime_r/strftime: the calendar is computed, so neither
// TZ nor the C locale can change what is written.

#include <chrono>
#include <cstdint>
#include <string>

namespace clnrm {

enum class UtcStyle {
  Rfc3339Millis,  // 2025-01-01T00:00:00.000Z   JSON and JUnit reports
  Rfc3339,        // 2025-01-01T00:00:00Z       history JSON/CSV, bench history rows
  Rfc3339Offset,  // 2025-01-01T00:00:00+00:00  Google Benchmark's context "date"
  Table,          // 2025-01-01 00:00:00Z       `clnrm history` tables
  Page,           // 2025-01-01 00:00:00 UTC    the HTML report's header
  Faketime,       // @2025-01-01 00:00:00       libfaketime's "start at" (FAKETIME)
};

// `unix_ns`: nanoseconds since the Unix epoch (negative: before it).
// Sub-second digits are truncated towards the past.
std::string format_utc(std::int64_t unix_ns, UtcStyle style);
std::string format_utc(std::chrono::system_clock::time_point t, UtcStyle style);

}  // namespace clnrm
