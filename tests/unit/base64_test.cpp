// Base64 (src/base/base64.cpp): RFC 4648's test vectors both ways, and
// malformed text refused without echoing it.
#include "base/base64.h"

#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(Base64, EncodesAndDecodesTheRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    const auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  const std::string binary("\x00\xff\xfe:\x80", 5);
  EXPECT_EQ(*base64_decode(base64_encode(binary)), binary);
  EXPECT_EQ(base64_encode("user:p@ss"), "dXNlcjpwQHNz");
}

TEST(Base64, RefusesMalformedTextWithoutEchoingIt) {
  for (const char* bad : {"Zg=", "Zm=a", "Zm9v!", "Zm9vY===", "Z===", "secret!!"}) {
    const auto decoded = base64_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().find(bad), std::string::npos) << decoded.error();
  }
}

}  // namespace
}  // namespace clnrm
