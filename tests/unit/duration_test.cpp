#include <clnrm/duration.h>
#include <gtest/gtest.h>

using clnrm::Duration;
using clnrm::parse_duration;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("500ms").optional(), Duration(500));
  EXPECT_EQ(parse_duration("2s").optional(), Duration(2000));
  EXPECT_EQ(parse_duration("1m").optional(), Duration(60000));
  EXPECT_EQ(parse_duration("1h").optional(), Duration(3600000));
  EXPECT_EQ(parse_duration("1.5s").optional(), Duration(1500));
  EXPECT_EQ(parse_duration("1m30s").optional(), Duration(90000));
  EXPECT_EQ(parse_duration("0s").optional(), Duration(0));
  EXPECT_EQ(parse_duration(" 3s ").optional(), Duration(3000));
  EXPECT_EQ(parse_duration("2500us").optional(), Duration(3));
}

TEST(Duration, RejectsBadInputWithReason) {
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_NE(parse_duration("-1s").error().find("negative"), std::string::npos);
  EXPECT_NE(parse_duration("10").error().find("no unit"), std::string::npos);
  EXPECT_NE(parse_duration("5x").error().find("unknown unit 'x'"), std::string::npos);
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_NE(parse_duration("99999999999999999999999h").error().find("too long"), std::string::npos);
  EXPECT_FALSE(parse_duration("31d"));
}

TEST(Duration, Formats) {
  using namespace std::chrono;
  EXPECT_EQ(clnrm::format_duration(nanoseconds(900)), "900ns");
  EXPECT_EQ(clnrm::format_duration(microseconds(1500)), "1.5ms");
  EXPECT_EQ(clnrm::format_duration(milliseconds(1250)), "1.250s");
  EXPECT_EQ(clnrm::format_duration(seconds(125)), "2m05s");
}

TEST(Duration, NanosecondPrecisionIsTheSameGrammar) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(clnrm::parse_duration_ns("250us").optional(), nanoseconds(250'000));
  EXPECT_EQ(clnrm::parse_duration_ns("1.5ms").optional(), nanoseconds(1'500'000));
  EXPECT_EQ(clnrm::parse_duration_ns("200 ns").optional(), nanoseconds(200));
  EXPECT_EQ(clnrm::parse_duration_ns("1m 30s").optional(), nanoseconds(90'000'000'000));
  // The millisecond form is this, rounded half up.
  EXPECT_EQ(parse_duration("1.5ms").optional(), Duration(2));
  EXPECT_EQ(parse_duration("1499us").optional(), Duration(1));
  EXPECT_FALSE(clnrm::parse_duration_ns("10").ok());
  EXPECT_FALSE(clnrm::parse_duration_ns("-1s").ok());
}
