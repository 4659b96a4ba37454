#include "base/utc_time.h"

#include <fmt/format.h>

namespace clnrm {
namespace {

struct Civil {
  std::int64_t year;
  int month, day;
};

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's
// civil_from_days), the inverse of days_from_civil in src/base/rfc3339.cpp.
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string format_utc(std::int64_t unix_ns, UtcStyle style) {
  const std::int64_t ms = floor_div(unix_ns, 1'000'000);
  const std::int64_t secs = floor_div(ms, 1000);
  const std::int64_t days = floor_div(secs, 86400);
  const std::int64_t in_day = secs - days * 86400;
  const Civil c = civil_from_days(days);
  const auto hh = static_cast<int>(in_day / 3600), mm = static_cast<int>(in_day / 60 % 60),
             ss = static_cast<int>(in_day % 60);
  const auto millis = static_cast<int>(ms - secs * 1000);
  switch (style) {
    case UtcStyle::Rfc3339Millis:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, hh, mm, ss, millis);
    case UtcStyle::Rfc3339:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, hh, mm, ss);
    case UtcStyle::Rfc3339Offset:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", c.year, c.month, c.day, hh, mm, ss);
    case UtcStyle::Table:
      return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", c.year, c.month, c.day, hh, mm, ss);
    case UtcStyle::Page:
      return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", c.year, c.month, c.day, hh, mm, ss);
    case UtcStyle::Faketime:
      return fmt::format("@{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, hh, mm, ss);
  }
  return {};
}

std::string format_utc(std::chrono::system_clock::time_point t, UtcStyle style) {
  return format_utc(
      static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()),
      style);
}

}  // namespace clnrm
