// Flags over cleanroom.toml over built-in defaults (src/cli/project_settings.h).
#include "cli/project_settings.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

namespace clnrm::cli {
namespace {

ProjectConfig config() {
  return parse_project_config(R"([images]
"alpine:latest" = "clnrm-test/busybox"
[defaults]
backend = "docker"
jobs = 3
timeout = "7s"
)",
                              "/p/cleanroom.toml");
}

TEST(RunSettings, BuiltInDefaultsWithoutAFile) {
  const RunSettings s = run_settings_from_flags({}, std::nullopt);
  EXPECT_EQ(s.backend, "sandbox");
  EXPECT_EQ(s.jobs, 0);
  EXPECT_EQ(s.timeout, Duration(300'000));
  EXPECT_TRUE(s.image_map.empty());
}

TEST(RunSettings, TheFileActsUnderTheFlags) {
  const RunSettings s = run_settings_from_flags({}, config());
  EXPECT_EQ(s.backend, "docker");
  EXPECT_EQ(s.backend_from, "/p/cleanroom.toml:4:11");
  EXPECT_EQ(s.jobs, 3);
  EXPECT_EQ(s.timeout, Duration(7'000));
  ASSERT_EQ(s.image_map.size(), 1u);
  EXPECT_EQ(s.image_map[0], "alpine:latest=clnrm-test/busybox");
  EXPECT_EQ(s.describe(),
            "backend docker (/p/cleanroom.toml:4:11), jobs 3 (/p/cleanroom.toml:5:8), timeout 7.000s "
            "(/p/cleanroom.toml:6:11)");
}

TEST(RunSettings, FlagsWin) {
  const RunSettings s =
      run_settings_from_flags({"sandbox", 2, "0", {"alpine:latest=mine"}}, config());
  EXPECT_EQ(s.backend, "sandbox");
  EXPECT_EQ(s.backend_from, "--backend");
  EXPECT_EQ(s.jobs, 2);
  EXPECT_FALSE(s.timeout);  // 0: no limit
  EXPECT_FALSE(run_settings_from_flags({"", std::nullopt, "0s", {}}, config()).timeout);
  ASSERT_EQ(s.image_map.size(), 2u);
  EXPECT_EQ(s.image_map.back(), "alpine:latest=mine");  // applied last: wins
}

TEST(RunSettings, JobsOutsideTheRangeAreRefusedNamingIt) {
  for (int jobs : {0, -1, 1025, 100000}) {
    try {
      run_settings_from_flags({"", jobs, "", {}}, std::nullopt);
      FAIL() << jobs;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(std::string(e.what()).find("1..1024"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(run_settings_from_flags({"", 1024, "", {}}, std::nullopt).jobs, 1024);
}

}  // namespace
}  // namespace clnrm::cli
