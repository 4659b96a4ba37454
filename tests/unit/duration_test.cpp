#include <clnrm/duration.h>
#include <gtest/gtest.h>

using clnrm::Duration;
using clnrm::parse_duration;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("500ms"), Duration(500));
  EXPECT_EQ(parse_duration("2s"), Duration(2000));
  EXPECT_EQ(parse_duration("1m"), Duration(60000));
  EXPECT_EQ(parse_duration("1h"), Duration(3600000));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500));
  EXPECT_EQ(parse_duration("1m30s"), Duration(90000));
  EXPECT_EQ(parse_duration("0s"), Duration(0));
  EXPECT_EQ(parse_duration(" 3s "), Duration(3000));
  EXPECT_EQ(parse_duration("2500us"), Duration(3));
}

TEST(Duration, RejectsBadInputWithReason) {
  std::string why;
  EXPECT_FALSE(parse_duration("-1s", &why));
  EXPECT_NE(why.find("negative"), std::string::npos);
  EXPECT_FALSE(parse_duration("10", &why));
  EXPECT_NE(why.find("no unit"), std::string::npos);
  EXPECT_FALSE(parse_duration("5x", &why));
  EXPECT_NE(why.find("unknown unit 'x'"), std::string::npos);
  EXPECT_FALSE(parse_duration("", &why));
  EXPECT_FALSE(parse_duration("s", &why));
  EXPECT_FALSE(parse_duration("99999999999999999999999h", &why));
  EXPECT_NE(why.find("too long"), std::string::npos);
  EXPECT_FALSE(parse_duration("31d", &why));
}

TEST(Duration, Formats) {
  using namespace std::chrono;
  EXPECT_EQ(clnrm::format_duration(nanoseconds(900)), "900ns");
  EXPECT_EQ(clnrm::format_duration(microseconds(1500)), "1.5ms");
  EXPECT_EQ(clnrm::format_duration(milliseconds(1250)), "1.250s");
  EXPECT_EQ(clnrm::format_duration(seconds(125)), "2m05s");
}
