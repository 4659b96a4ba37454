// Flags over cleanroom.toml over built-in defaults (src/cli/project_settings.h).
#include "cli/project_settings.h"

#include <clnrm/error.h>
#include <clnrm/suite.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "support/scoped_env.h"

namespace clnrm::cli {
namespace {

// CLNRM_PULL set (or, with nullopt, unset) for one scope; the test binaries
// start with CLNRM_PULL=never and CLNRM_DOCKER_POOL=0
// (tests/support/test_environment_defaults.cpp).
struct ScopedPullEnv : clnrm::testing::ScopedEnv {
  explicit ScopedPullEnv(std::optional<std::string> value) : ScopedEnv("CLNRM_PULL", std::move(value)) {}
};

ProjectConfig config() {
  return parse_project_config(R"([images]
"alpine:latest" = "clnrm-test/busybox"
[defaults]
backend = "docker"
jobs = 3
timeout = "7s"
pull = "always"
)",
                              "/p/cleanroom.toml");
}

TEST(RunSettings, BuiltInDefaultsWithoutAFile) {
  ScopedPullEnv no_env(std::nullopt);
  const RunSettings s = run_settings_from_flags({}, std::nullopt);
  EXPECT_EQ(s.pull, PullPolicy::Missing);
  EXPECT_EQ(s.pull_from, "default");
  EXPECT_EQ(s.backend, "sandbox");
  EXPECT_EQ(s.jobs, 0);
  EXPECT_EQ(s.timeout, Duration(300'000));
  EXPECT_TRUE(s.image_map.empty());
}

TEST(RunSettings, TheFileActsUnderTheFlags) {
  ScopedPullEnv no_env(std::nullopt);
  const clnrm::testing::ScopedEnv no_pool_env("CLNRM_DOCKER_POOL", std::nullopt);
  const RunSettings s = run_settings_from_flags({}, config());
  EXPECT_EQ(s.backend, "docker");
  EXPECT_EQ(s.backend_from, "/p/cleanroom.toml:4:11");
  EXPECT_EQ(s.jobs, 3);
  EXPECT_EQ(s.timeout, Duration(7'000));
  ASSERT_EQ(s.image_map.size(), 1u);
  EXPECT_EQ(s.image_map[0], "alpine:latest=clnrm-test/busybox");
  EXPECT_EQ(s.describe(),
            "backend docker (/p/cleanroom.toml:4:11), jobs 3 (/p/cleanroom.toml:5:8), timeout 7.000s "
            "(/p/cleanroom.toml:6:11), pull always (/p/cleanroom.toml:7:8), pool 2 (default) ttl 10m00s (default)");
}

TEST(RunSettings, FlagsWin) {
  const RunSettings s =
      run_settings_from_flags({"sandbox", 2, "0", {"alpine:latest=mine"}, "never"}, config());
  EXPECT_EQ(s.backend, "sandbox");
  EXPECT_EQ(s.backend_from, "--backend");
  EXPECT_EQ(s.jobs, 2);
  EXPECT_FALSE(s.timeout);  // 0: no limit
  EXPECT_FALSE(run_settings_from_flags({"", std::nullopt, "0s", {}, ""}, config()).timeout);
  EXPECT_EQ(s.pull, PullPolicy::Never);
  EXPECT_EQ(s.pull_from, "--pull");
  ASSERT_EQ(s.image_map.size(), 2u);
  EXPECT_EQ(s.image_map.back(), "alpine:latest=mine");  // applied last: wins
}

TEST(RunSettings, JobsOutsideTheRangeAreRefusedNamingIt) {
  for (int jobs : {0, -1, 1025, 100000}) {
    try {
      run_settings_from_flags({"", jobs, "", {}, ""}, std::nullopt);
      FAIL() << jobs;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(std::string(e.what()).find("1..1024"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(run_settings_from_flags({"", 1024, "", {}, ""}, std::nullopt).jobs, 1024);
}

// --pool / --no-pool, else CLNRM_DOCKER_POOL, else [defaults] pool, else 2;
// [defaults] pool_ttl, else 10 minutes; all on to the docker backend's options.
TEST(RunSettings, ThePoolIsTheFlagThenTheEnvironmentThenTheFile) {
  const clnrm::testing::ScopedEnv pool_env("CLNRM_DOCKER_POOL", std::nullopt);  // restored after
  const ProjectConfig file =
      parse_project_config("[defaults]\npool = 1\npool_ttl = \"90s\"\n", "/p/cleanroom.toml");
  EXPECT_EQ(run_settings_from_flags({}, std::nullopt).pool, 2);
  EXPECT_EQ(run_settings_from_flags({}, std::nullopt).pool_ttl, Duration(600'000));
  const RunSettings from_file = run_settings_from_flags({}, file);
  EXPECT_EQ(from_file.pool, 1);
  EXPECT_EQ(from_file.pool_from, "/p/cleanroom.toml:2:8");
  EXPECT_EQ(from_file.pool_ttl, Duration(90'000));
  ::setenv("CLNRM_DOCKER_POOL", "0", 1);
  EXPECT_EQ(run_settings_from_flags({}, file).pool, 0);
  EXPECT_EQ(run_settings_from_flags({}, file).pool_from, "CLNRM_DOCKER_POOL");
  RunFlags flag;
  flag.pool = 3;
  EXPECT_EQ(run_settings_from_flags(flag, file).pool, 3);
  EXPECT_EQ(run_settings_from_flags(flag, file).pool_from, "--pool");
  ::setenv("CLNRM_DOCKER_POOL", "two", 1);
  EXPECT_THROW(run_settings_from_flags({}, file), Error);
  ::unsetenv("CLNRM_DOCKER_POOL");
  flag.pool = 9;
  try {
    run_settings_from_flags(flag, file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0..8"), std::string::npos) << e.what();
  }
  SuiteOptions options;
  apply_run_settings(from_file, options);
  EXPECT_EQ(options.backend_options.pool, 1);
  EXPECT_EQ(options.backend_options.pool_ttl, Duration(90'000));
}

// --pull, else CLNRM_PULL, else [defaults] pull, else missing.
TEST(RunSettings, ThePullPolicyIsTheFlagThenTheEnvironmentThenTheFile) {
  {
    ScopedPullEnv env("never");
    EXPECT_EQ(run_settings_from_flags({}, config()).pull, PullPolicy::Never);
    EXPECT_EQ(run_settings_from_flags({}, config()).pull_from, "CLNRM_PULL");
    EXPECT_EQ(run_settings_from_flags({"", std::nullopt, "", {}, "missing"}, config()).pull, PullPolicy::Missing);
  }
  {
    ScopedPullEnv empty("");  // empty: not set
    EXPECT_EQ(run_settings_from_flags({}, config()).pull, PullPolicy::Always);
    EXPECT_EQ(run_settings_from_flags({}, config()).pull_from, "/p/cleanroom.toml:7:8");
    // The library applies it.
    SuiteOptions options;
    apply_run_settings(run_settings_from_flags({}, config()), options);
    EXPECT_EQ(options.backend_options.image_pull, PullPolicy::Always);
  }
  ScopedPullEnv bad("sometimes");
  try {
    run_settings_from_flags({}, config());
    FAIL() << "a bad CLNRM_PULL was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("CLNRM_PULL: unknown pull policy 'sometimes'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace clnrm::cli
