#include "base/rfc3339.h"

#include <cctype>

namespace clnrm {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int* value) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

Parsed<std::int64_t> fail(const char* why) { return Parsed<std::int64_t>::failure(why); }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// days_from_civil): no timegm, no TZ, no range limit of time_t.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

Parsed<std::int64_t> parse_rfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, &year) || s.size() < 5 || s[4] != '-' || !digits(s, 5, 2, &month) ||
      s.size() < 8 || s[7] != '-' || !digits(s, 8, 2, &day))
    return fail("expected a date YYYY-MM-DD at the start");
  if (month < 1 || month > 12) return fail("month out of range 01..12");
  if (day < 1 || day > days_in_month(year, month))
    return fail("day out of range for that month");
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
    return fail("expected 'T' and a time after the date (e.g. 2025-01-01T00:00:00Z)");
  if (!digits(s, 11, 2, &hour) || s.size() < 14 || s[13] != ':' || !digits(s, 14, 2, &minute) ||
      s.size() < 17 || s[16] != ':' || !digits(s, 17, 2, &second))
    return fail("expected a time hh:mm:ss");
  if (hour > 23 || minute > 59 || second > 60) return fail("time out of range");
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return fail("expected digits after '.'");
  }
  if (i == s.size()) return fail("missing time zone (add 'Z' or an offset such as +00:00)");
  const std::int64_t local = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != s.size()) return fail("unexpected text after the time zone");
    return local;
  }
  int oh, om;
  if ((s[i] != '+' && s[i] != '-') || !digits(s, i + 1, 2, &oh) || i + 3 >= s.size() ||
      s[i + 3] != ':' || !digits(s, i + 4, 2, &om) || i + 6 != s.size())
    return fail("time zone must be 'Z' or +hh:mm / -hh:mm");
  if (oh > 23 || om > 59) return fail("time zone offset out of range");
  const std::int64_t offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
  return local - offset;
}

}  // namespace clnrm
