#include <clnrm/control_characters.h>
#include <gtest/gtest.h>

#include <string>

namespace clnrm {
namespace {

TEST(ControlCharactersTest, PrintableTextIsUnchanged) {
  EXPECT_EQ(escape_control_characters("plain name-1 <b> \"q\" \\ é 日本 🙂"),
            "plain name-1 <b> \"q\" \\ é 日本 🙂");
  EXPECT_EQ(escape_control_characters(""), "");
}

TEST(ControlCharactersTest, C0DelAndC1BecomeVisible) {
  EXPECT_EQ(escape_control_characters("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(escape_control_characters("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(escape_control_characters(std::string("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(escape_control_characters("\x07\x7f"), "\\x07\\x7f");
  EXPECT_EQ(escape_control_characters("csi\xc2\x9b"
                                      "2J"),
            "csi\\u009b2J");
  EXPECT_EQ(escape_control_characters("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u0080\\u009f\xc2\xa0");
}

TEST(ControlCharactersTest, BytesThatAreNotUtf8BecomeHex) {
  // A raw 0x9b is CSI to an 8-bit terminal.
  EXPECT_EQ(escape_control_characters("\x9b"
                                      "2J \xff\xfe \xe6\x97"),
            "\\x9b2J \\xff\\xfe \\xe6\\x97");
  EXPECT_EQ(escape_control_characters("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
}

TEST(ControlCharactersTest, KeepNewlinesForMultiLineText) {
  EXPECT_EQ(escape_control_characters("a\nb\tc\r\nd\re\x1b", Newlines::Keep),
            "a\nb\tc\nd\\re\\x1b");
}

}  // namespace
}  // namespace clnrm
