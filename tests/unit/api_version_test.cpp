#include "backend/docker/api_version.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace clnrm::docker {
namespace {

// Recorded from this machine: Debian docker.io 20.10.24 and podman 4.3.1
// (`curl --unix-socket ... /version`), trimmed to the fields that matter.
const char* kDocker2010Version = R"({"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1",
  "Details":{"ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux"}}],"Version":"20.10.24+dfsg1",
  "ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"})";
const char* kPodman431Version = R"({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine",
  "Version":"4.3.1","Details":{"APIVersion":"4.3.1","MinAPIVersion":"4.0.0","Os":"linux"}}],"Version":"4.3.1",
  "ApiVersion":"1.41","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64"})";
// Docker 28 advertises 1.50 and accepts down to 1.24.
const char* kDocker28Version = R"({"Version":"28.2.2","ApiVersion":"1.50","MinAPIVersion":"1.24","Os":"linux",
  "Components":[{"Name":"Engine","Version":"28.2.2"}]})";

TEST(ApiVersion, ParsesAndCompares) {
  EXPECT_EQ(ApiVersion::parse("1.41"), (ApiVersion{1, 41}));
  EXPECT_FALSE(ApiVersion::parse("1"));
  EXPECT_FALSE(ApiVersion::parse("1.x"));
  EXPECT_FALSE(ApiVersion::parse("1.41.2"));
  EXPECT_FALSE(ApiVersion::parse(""));
  EXPECT_LT((ApiVersion{1, 9}), (ApiVersion{1, 41}));
  EXPECT_EQ((ApiVersion{1, 45}).str(), "1.45");
}

TEST(ApiVersion, Docker2010UsesTheServersMaximum) {
  auto info = negotiate_api_version("1.41", "", nlohmann::json::parse(kDocker2010Version));
  EXPECT_EQ(info.api, (ApiVersion{1, 41}));
  EXPECT_EQ(info.server_min, (ApiVersion{1, 12}));
  EXPECT_FALSE(info.podman);
  EXPECT_EQ(info.version, "20.10.24+dfsg1");
}

TEST(ApiVersion, NewerServerGetsOurMaximum) {
  auto info = negotiate_api_version("1.50", "", nlohmann::json::parse(kDocker28Version));
  EXPECT_EQ(info.api, kClientMaxApi);
  EXPECT_EQ(info.server_max, (ApiVersion{1, 50}));
}

TEST(ApiVersion, PodmanIsRecognisedByHeaderOrComponent) {
  // Podman's /version MinAPIVersion in Components is its libpod version
  // (4.0.0), not an Engine API version: only the top-level one counts.
  auto by_header = negotiate_api_version("1.41", "4.3.1", nlohmann::json::parse(kPodman431Version));
  EXPECT_TRUE(by_header.podman);
  EXPECT_EQ(by_header.api, (ApiVersion{1, 41}));
  EXPECT_EQ(by_header.server_min, (ApiVersion{1, 24}));
  auto by_component = negotiate_api_version("1.41", "", nlohmann::json::parse(kPodman431Version));
  EXPECT_TRUE(by_component.podman);
}

TEST(ApiVersion, FallsBackToThePingHeaderWhenVersionLacksIt) {
  auto info = negotiate_api_version("1.43", "", nlohmann::json::parse(R"({"Version":"x"})"));
  EXPECT_EQ(info.api, (ApiVersion{1, 43}));
  EXPECT_EQ(info.server_min, (ApiVersion{1, 12}));
}

TEST(ApiVersion, TooOldServerFailsNamingBothRanges) {
  try {
    negotiate_api_version("1.30", "", nlohmann::json::parse(R"({"Version":"17.06","ApiVersion":"1.30"})"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(std::string(e.what()).find("1.30"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(kClientMinApi.str()), std::string::npos) << e.what();
  }
}

TEST(ApiVersion, ServerMinimumAboveOurMaximumFails) {
  try {
    negotiate_api_version("1.60", "",
                          nlohmann::json::parse(R"({"Version":"40.0","ApiVersion":"1.60","MinAPIVersion":"1.50"})"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("requires Engine API 1.50"), std::string::npos) << e.what();
  }
}

TEST(ApiVersion, NoVersionAnywhereIsAnError) {
  EXPECT_THROW(negotiate_api_version("", "", nlohmann::json::parse("{}")), Error);
}

}  // namespace
}  // namespace clnrm::docker
