#include "base/nonce.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace clnrm {
namespace {

TEST(Nonce, IsSixteenHexDigitsAndNeverRepeatsInAThousand) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string n = make_nonce();
    ASSERT_EQ(n.size(), 16u) << n;
    EXPECT_EQ(n.find_first_not_of("0123456789abcdef"), std::string::npos) << n;
    seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace clnrm
