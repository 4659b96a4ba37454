// An image's User as ids inside the pod, from the image's own passwd/group.
#include "backend/sandbox/image_user.h"

#include <gtest/gtest.h>

namespace clnrm::sandbox {
namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n"
    "nogid:x:1002:bad:x:/:/bin/sh\n";
constexpr const char* kGroup = "root:x:0:\nstaff:x:50:app\n";

TEST(ImageUser, NumericUidTakesItsPasswdGidOrZero) {
  auto ids = resolve_image_user("1000", kPasswd, kGroup);
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->uid, 1000);
  EXPECT_EQ(ids->gid, 1001);
  ids = resolve_image_user("4242", kPasswd, kGroup);
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->uid, 4242);
  EXPECT_EQ(ids->gid, 0);
}

TEST(ImageUser, NamesAreLookedUpInTheImagesFiles) {
  auto ids = resolve_image_user("app", kPasswd, kGroup);
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->uid, 1000);
  EXPECT_EQ(ids->gid, 1001);
  ids = resolve_image_user("app:staff", kPasswd, kGroup);
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->gid, 50);
  ids = resolve_image_user("7:8", "", "");
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->uid, 7);
  EXPECT_EQ(ids->gid, 8);
}

TEST(ImageUser, UnknownNamesAndIdsOutsideThePodAreErrors) {
  EXPECT_NE(resolve_image_user("postgres", kPasswd, kGroup).error().find("not in the image's /etc/passwd"),
            std::string::npos);
  EXPECT_NE(resolve_image_user("app:wheel", kPasswd, kGroup).error().find("not in the image's /etc/group"),
            std::string::npos);
  EXPECT_NE(resolve_image_user("70000", kPasswd, kGroup).error().find("outside the pod's ids"), std::string::npos);
  EXPECT_NE(resolve_image_user("1:70000", kPasswd, kGroup).error().find("outside the pod's ids"), std::string::npos);
  // A name must match a whole field, never a prefix.
  EXPECT_FALSE(resolve_image_user("ap", kPasswd, kGroup));
}

}  // namespace
}  // namespace clnrm::sandbox
