#include <clnrm/image.h>
#include <clnrm/error.h>
#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(ImageMap, NormalisesReferences) {
  EXPECT_EQ(normalize_image_ref("alpine"), "alpine:latest");
  EXPECT_EQ(normalize_image_ref("alpine:3.19"), "alpine:3.19");
  EXPECT_EQ(normalize_image_ref("docker.io/library/alpine"), "alpine:latest");
  EXPECT_EQ(normalize_image_ref("docker.io/bitnami/redis"), "bitnami/redis:latest");
  EXPECT_EQ(normalize_image_ref("localhost:5000/x"), "localhost:5000/x:latest");
  EXPECT_EQ(normalize_image_ref("localhost:5000/x:1"), "localhost:5000/x:1");
  EXPECT_EQ(normalize_image_ref("x@sha256:abc"), "x@sha256:abc");
}

TEST(ImageMap, ParsesOneOrSeveralEntries) {
  auto parsed = parse_image_map("alpine:latest=clnrm-test/busybox");
  ASSERT_TRUE(parsed) << parsed.error();
  const ImageMap& m = *parsed;
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(map_image(m, "alpine:latest"), "clnrm-test/busybox");
  EXPECT_EQ(map_image(m, "alpine"), "clnrm-test/busybox");
  EXPECT_EQ(map_image(m, "docker.io/library/alpine:latest"), "clnrm-test/busybox");
  EXPECT_EQ(map_image(m, "alpine:3.19"), "alpine:3.19");
  const ImageMap two = parse_image_map("alpine=clnrm-test/busybox, redis:7=clnrm-test/redis").value();
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(map_image(two, "redis:7"), "clnrm-test/redis");
  EXPECT_EQ(map_image(two, "redis"), "redis");
}

TEST(ImageMap, RejectsMalformedEntriesNamingThem) {
  for (const char* bad : {"alpine", "=x", "alpine=", "a=b,,c=d"}) {
    const Parsed<ImageMap> parsed = parse_image_map(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().find("FROM=TO"), std::string::npos) << parsed.error();
    if (std::string_view(bad).find(',') == std::string_view::npos) {
      EXPECT_FALSE(parse_image_mapping(bad)) << bad;
    }
  }
}

TEST(ImageMap, LaterEntriesOverrideEarlierOnes) {
  const ImageMap m = parse_image_map("alpine=a,alpine:latest=b").value();
  EXPECT_EQ(map_image(m, "alpine"), "b");
  EXPECT_EQ(parse_image_mapping(" alpine = x ")->from, "alpine:latest");
}

}  // namespace
}  // namespace clnrm
