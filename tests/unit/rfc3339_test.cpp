// The one RFC 3339 parser (src/base/rfc3339.cpp): the test-file check and
// the frozen clock of a run used to be two parsers that disagreed.
#include <gtest/gtest.h>

#include "base/rfc3339.h"

using clnrm::parse_rfc3339;

TEST(Rfc3339, InstantsWithZonesFractionsAndTheSpaceForm) {
  EXPECT_EQ(*parse_rfc3339("2025-01-01T00:00:00Z"), 1735689600);
  EXPECT_EQ(*parse_rfc3339("2025-01-01t00:00:00z"), 1735689600);
  EXPECT_EQ(*parse_rfc3339("2025-01-01 00:00:00Z"), 1735689600);
  EXPECT_EQ(*parse_rfc3339("2025-01-01T02:00:00+02:00"), 1735689600);
  EXPECT_EQ(*parse_rfc3339("2024-12-31T19:00:00-05:00"), 1735689600);
  EXPECT_EQ(*parse_rfc3339("2025-01-01T00:00:00.999Z"), 1735689600);  // fraction dropped
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339("2000-02-29T00:00:00Z"), 951782400);
  EXPECT_EQ(*parse_rfc3339("1969-12-31T23:59:59Z"), -1);
}

// Exactly the cases where the two parsers disagreed: the run's (a regular
// expression and timegm) accepted them, the test-file check rejected them.
// RFC 3339 requires a zone, the colon in an offset, and a real day; the
// check was right, and `clnrm validate` has always said so.
TEST(Rfc3339, TheCasesTheTwoParsersDisagreedOnAreRejected) {
  const auto no_zone = parse_rfc3339("2025-01-01 00:00:00");
  ASSERT_FALSE(no_zone);
  EXPECT_EQ(no_zone.error(), "missing time zone (add 'Z' or an offset such as +00:00)");
  const auto no_colon = parse_rfc3339("2025-01-01T02:00:00+0200");
  ASSERT_FALSE(no_colon);
  EXPECT_EQ(no_colon.error(), "time zone must be 'Z' or +hh:mm / -hh:mm");
  const auto feb_30 = parse_rfc3339("2025-02-30T00:00:00Z");
  ASSERT_FALSE(feb_30);
  EXPECT_EQ(feb_30.error(), "day out of range for that month");
}

TEST(Rfc3339, OtherMistakesSayWhatIsWrong) {
  EXPECT_EQ(parse_rfc3339("yesterday").error(), "expected a date YYYY-MM-DD at the start");
  EXPECT_EQ(parse_rfc3339("2025-13-01T00:00:00Z").error(), "month out of range 01..12");
  EXPECT_EQ(parse_rfc3339("2025-01-01").error(),
            "expected 'T' and a time after the date (e.g. 2025-01-01T00:00:00Z)");
  EXPECT_EQ(parse_rfc3339("2025-01-01T24:00:00Z").error(), "time out of range");
  EXPECT_EQ(parse_rfc3339("2025-01-01T00:00:00.Z").error(), "expected digits after '.'");
  EXPECT_EQ(parse_rfc3339("2025-01-01T00:00:00Zx").error(), "unexpected text after the time zone");
  EXPECT_EQ(parse_rfc3339("2025-01-01T00:00:00+24:00").error(), "time zone offset out of range");
}
