// The library's resolution reads the environment as `clnrm run` does
// (include/clnrm/run_settings.h): the caller's value, else CLNRM_PULL /
// CLNRM_DOCKER_POOL, else cleanroom.toml, else the default. A program
// embedding the library gets the test binaries' CLNRM_DOCKER_POOL=0
// (tests/support/test_environment_defaults.cpp) without a flag of its own.
#include <clnrm/error.h>
#include <clnrm/run_settings.h>
#include <clnrm/suite.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "support/scoped_env.h"

namespace clnrm {
namespace {

using clnrm::testing::ScopedEnv;

ProjectConfig file_with_pool_and_pull() {
  return parse_project_config("[defaults]\npool = 1\npull = \"always\"\n", "/p/cleanroom.toml");
}

TEST(ResolveRunSettings, TheEnvironmentActsOverTheFileUnderTheCaller) {
  const ScopedEnv pool("CLNRM_DOCKER_POOL", "0");
  const ScopedEnv pull("CLNRM_PULL", "never");
  const RunSettings s = resolve_run_settings({}, file_with_pool_and_pull());
  EXPECT_EQ(s.pool, 0);
  EXPECT_EQ(s.pool_from, "CLNRM_DOCKER_POOL");
  EXPECT_EQ(s.pull, PullPolicy::Never);
  EXPECT_EQ(s.pull_from, "CLNRM_PULL");

  RunRequest caller;
  caller.pool = 3;
  caller.pull = PullPolicy::Missing;
  const RunSettings given = resolve_run_settings(caller, file_with_pool_and_pull());
  EXPECT_EQ(given.pool, 3);
  EXPECT_EQ(given.pool_from, "pool");
  EXPECT_EQ(given.pull, PullPolicy::Missing);
  EXPECT_EQ(given.pull_from, "pull");

  SuiteOptions options;
  apply_run_settings(s, options);
  EXPECT_EQ(options.backend_options.pool, 0);
  EXPECT_EQ(options.backend_options.image_pull, PullPolicy::Never);
}

TEST(ResolveRunSettings, AnEmptyOrUnsetVariableLeavesTheFile) {
  for (const std::optional<std::string>& value : {std::optional<std::string>(), std::optional<std::string>("")}) {
    const ScopedEnv pool("CLNRM_DOCKER_POOL", value);
    const ScopedEnv pull("CLNRM_PULL", value);
    const RunSettings s = resolve_run_settings({}, file_with_pool_and_pull());
    EXPECT_EQ(s.pool, 1);
    EXPECT_EQ(s.pool_from, "/p/cleanroom.toml:2:8");
    EXPECT_EQ(s.pull, PullPolicy::Always);
    const RunSettings none = resolve_run_settings({}, std::nullopt);
    EXPECT_EQ(none.pool, kDefaultPool);
    EXPECT_EQ(none.pool_from, "default");
    EXPECT_EQ(none.pull, PullPolicy::Missing);
  }
}

TEST(ResolveRunSettings, ACallerMaySkipTheEnvironment) {
  const ScopedEnv pool("CLNRM_DOCKER_POOL", "two");
  const ScopedEnv pull("CLNRM_PULL", "sometimes");
  RunRequest request;
  request.environment = false;
  const RunSettings s = resolve_run_settings(request, file_with_pool_and_pull());
  EXPECT_EQ(s.pool, 1);
  EXPECT_EQ(s.pull, PullPolicy::Always);
}

// A bad value is a usage error naming the variable, also when the file would
// have given a value.
TEST(ResolveRunSettings, ABadVariableIsAnErrorNamingIt) {
  const ScopedEnv pull("CLNRM_PULL", std::nullopt);
  for (const char* bad : {"two", "-", "1x", " 1"}) {
    const ScopedEnv pool("CLNRM_DOCKER_POOL", bad);
    try {
      resolve_run_settings({}, file_with_pool_and_pull());
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_NE(std::string(e.what()).find(std::string("CLNRM_DOCKER_POOL: '") + bad + "' is not a number (0..8)"),
                std::string::npos)
          << e.what();
    }
  }
  const ScopedEnv pool("CLNRM_DOCKER_POOL", "9");
  try {
    resolve_run_settings({}, std::nullopt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CLNRM_DOCKER_POOL 9 is out of range: give 0..8"), std::string::npos)
        << e.what();
  }
}

TEST(ResolveRunSettings, ParsePoolSize) {
  EXPECT_EQ(*parse_pool_size("0"), 0);
  EXPECT_EQ(*parse_pool_size("8"), 8);
  EXPECT_EQ(parse_pool_size("").error(), "'' is not a number (0..8)");
  EXPECT_EQ(parse_pool_size("3 ").error(), "'3 ' is not a number (0..8)");
}

// A timeout of 0 is no limit, from the caller and from the file.
TEST(ResolveRunSettings, ATimeoutOfZeroIsNoLimit) {
  RunRequest request;
  request.timeout = Duration(0);
  EXPECT_FALSE(resolve_run_settings(request, std::nullopt).timeout);
  EXPECT_FALSE(resolve_run_settings({}, parse_project_config("[defaults]\ntimeout = \"0s\"\n", "/p/c.toml")).timeout);
  EXPECT_EQ(resolve_run_settings({}, std::nullopt).timeout, kDefaultTestTimeout);
}

}  // namespace
}  // namespace clnrm
