// The one UTC formatter (src/base/utc_time.cpp) in each style, and against
// gmtime_r, which the six formatters it replaced each called.
#include <gtest/gtest.h>

#include <ctime>
#include <random>

#include "base/rfc3339.h"
#include "base/utc_time.h"

using clnrm::format_utc;
using clnrm::UtcStyle;

namespace {
constexpr std::int64_t kNs = 1'000'000'000;
// 2025-01-01T00:00:00Z plus 1.2345 s
constexpr std::int64_t kInstant = 1735689600 * kNs + 1'234'500'000;
}  // namespace

TEST(UtcTime, EveryStyle) {
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Rfc3339Millis), "2025-01-01T00:00:01.234Z");
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Rfc3339), "2025-01-01T00:00:01Z");
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Rfc3339Offset), "2025-01-01T00:00:01+00:00");
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Table), "2025-01-01 00:00:01Z");
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Page), "2025-01-01 00:00:01 UTC");
  EXPECT_EQ(format_utc(kInstant, UtcStyle::Faketime), "@2025-01-01 00:00:01");
}

TEST(UtcTime, EpochLeapDayAndBeforeTheEpoch) {
  EXPECT_EQ(format_utc(0, UtcStyle::Rfc3339Millis), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(951782400 * kNs, UtcStyle::Rfc3339), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_utc(-1, UtcStyle::Rfc3339Millis), "1969-12-31T23:59:59.999Z");
}

TEST(UtcTime, TimePointsAreTheSameInstant) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::nanoseconds(kInstant));
  EXPECT_EQ(format_utc(t, UtcStyle::Rfc3339Millis), "2025-01-01T00:00:01.234Z");
}

TEST(UtcTime, AgreesWithGmtimeFrom1900To2250) {
  std::mt19937_64 rng(15);
  // 1900..2250: nanoseconds since the epoch fit an int64 until 2262.
  std::uniform_int_distribution<std::int64_t> seconds(-2'208'988'800, 8'835'200'000);
  for (int i = 0; i < 20000; ++i) {
    const std::time_t s = seconds(rng);
    std::tm tm{};
    ASSERT_NE(::gmtime_r(&s, &tm), nullptr);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ASSERT_EQ(format_utc(static_cast<std::int64_t>(s) * kNs, UtcStyle::Rfc3339), buf) << s;
  }
}

TEST(UtcTime, RoundTripsThroughTheRfc3339Parser) {
  for (std::int64_t s : {0LL, 951782400LL, 1735689600LL, -86401LL, 4102444799LL}) {
    EXPECT_EQ(*clnrm::parse_rfc3339(format_utc(s * kNs, UtcStyle::Rfc3339)), s);
  }
}
