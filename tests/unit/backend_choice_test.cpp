#include <clnrm/backend_choice.h>
#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <algorithm>

TEST(BackendChoice, KnowsEveryBackendInOnePlace) {
  const auto names = clnrm::backend_names();
  for (const char* n : {"sandbox", "docker", "auto", "null"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(clnrm::default_backend_name(), "sandbox");
}

TEST(BackendChoice, NullAndUnknown) {
  EXPECT_EQ(clnrm::make_backend("null", {})->name(), "null");
  try {
    clnrm::make_backend("warp", {});
    FAIL();
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("sandbox, docker, auto, null"), std::string::npos) << e.what();
  }
}

// --dry-run: the decision without making a backend (nothing is probed or started).
TEST(BackendChoice, DecideNamesTheBackendWithoutMakingIt) {
  EXPECT_EQ(clnrm::decide_backend("sandbox", {}).name, "sandbox");
  EXPECT_EQ(clnrm::decide_backend("null", {}).reason, "") << "taken as given";
  const clnrm::BackendDecision automatic = clnrm::decide_backend("auto", {});
  EXPECT_EQ(automatic.name, "sandbox");
  EXPECT_EQ(automatic.reason, "auto: no test names an image");
  EXPECT_THROW(clnrm::decide_backend("warp", {}), clnrm::Error);
}
