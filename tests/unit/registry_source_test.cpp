// Registry addressing and token challenges (src/image/registry_source.cpp);
// pulls from a real registry: tests/integration/image_registry_test.cpp.
#include "image/registry_source.h"

#include <clnrm/loopback.h>

#include <gtest/gtest.h>

namespace clnrm::image {
namespace {

TEST(RegistrySource, PlainHttpOnlyForLoopback) {
  EXPECT_TRUE(is_loopback_authority("localhost:5000"));
  EXPECT_TRUE(is_loopback_authority("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_authority("[::1]:5000"));
  EXPECT_FALSE(is_loopback_authority("registry.example.com"));
  EXPECT_FALSE(is_loopback_authority("localhost.example.com:5000"));
  EXPECT_FALSE(is_loopback_authority("10.0.0.1:5000"));
  auto ref = *parse_name_reference("127.0.0.1:5000/x:1");
  EXPECT_EQ(registry_base_url(ref, ""), "http://127.0.0.1:5000");
  ref = *parse_name_reference("quay.io/x:1");
  EXPECT_EQ(registry_base_url(ref, ""), "https://quay.io");
  ref = *parse_name_reference("redis:7");
  EXPECT_EQ(registry_base_url(ref, ""), "https://registry-1.docker.io");
  EXPECT_EQ(registry_base_url(ref, "localhost:5000"), "http://localhost:5000");
}

TEST(RegistrySource, ParsesBearerChallenges) {
  auto p = parse_bearer_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull")");
  EXPECT_EQ(p["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(p["service"], "registry.docker.io");
  EXPECT_EQ(p["scope"], "repository:library/redis:pull");
  EXPECT_TRUE(parse_bearer_challenge("Basic realm=\"x\"").empty());
  EXPECT_TRUE(parse_bearer_challenge("").empty());
}

}  // namespace
}  // namespace clnrm::image
