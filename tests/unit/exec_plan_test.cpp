// ExecPlan: what a sandbox child gets to exec, computed before forking.
#include "backend/sandbox/exec_plan.h"

#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <gtest/gtest.h>

namespace clnrm::sandbox {
namespace {

ProcessSpec spec_for(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.name = "s";
  spec.argv = std::move(argv);
  return spec;
}

TEST(ExecPlan, BareNameIsSearchedInTheFixedPath) {
  const ExecPlan plan = make_exec_plan(spec_for({"echo", "hi"}), "t", "/tmp/work");
  const std::vector<std::string> expected = {"/usr/local/sbin/echo", "/usr/local/bin/echo", "/usr/sbin/echo",
                                             "/usr/bin/echo",        "/sbin/echo",          "/bin/echo"};
  EXPECT_EQ(plan.candidates, expected);
  ASSERT_EQ(plan.candidate_ptrs.size(), expected.size() + 1);
  EXPECT_EQ(plan.candidate_ptrs.back(), nullptr);
  ASSERT_EQ(plan.argv.size(), 3u);
  EXPECT_STREQ(plan.argv[0], "echo");
  EXPECT_STREQ(plan.argv[1], "hi");
  EXPECT_EQ(plan.argv[2], nullptr);
  EXPECT_EQ(plan.not_found_message, "clnrm: echo: command not found\n");
}

TEST(ExecPlan, PathFromTheSpecReplacesTheDefaultSearch) {
  ProcessSpec spec = spec_for({"tool"});
  spec.env = {{"PATH", "/opt/a::/opt/b"}};
  const ExecPlan plan = make_exec_plan(spec, "t", "/tmp/work");
  const std::vector<std::string> expected = {"/opt/a/tool", "./tool", "/opt/b/tool"};
  EXPECT_EQ(plan.candidates, expected);
}

TEST(ExecPlan, NameWithASlashIsUsedAsIs) {
  EXPECT_EQ(make_exec_plan(spec_for({"./run.sh"}), "t", "/w").candidates, std::vector<std::string>{"./run.sh"});
  EXPECT_EQ(make_exec_plan(spec_for({"/bin/true"}), "t", "/w").candidates, std::vector<std::string>{"/bin/true"});
}

TEST(ExecPlan, EnvironmentIsTheDocumentedBasePlusSpecOverrides) {
  ProcessSpec spec = spec_for({"env"});
  spec.name = "step-1";
  spec.env = {{"TZ", "Europe/Paris"}, {"ZED", "1"}};
  const auto env = sandbox_environment(spec, "my-test", "/tmp/work");
  const std::vector<std::string> expected = {std::string("PATH=") + kSandboxPath,
                                             "HOME=/tmp/work",
                                             "LANG=C.UTF-8",
                                             "TZ=Europe/Paris",
                                             "CLNRM_TEST=my-test",
                                             "CLNRM_STEP=step-1",
                                             "ZED=1"};
  EXPECT_EQ(env, expected);
}

TEST(ExecPlan, WorkdirDefaultsToThePodsAndResolvesRelativePaths) {
  ProcessSpec spec = spec_for({"true"});
  EXPECT_EQ(make_exec_plan(spec, "t", "/tmp/work").workdir, "/tmp/work");
  spec.workdir = "sub/dir";
  EXPECT_EQ(make_exec_plan(spec, "t", "/tmp/work").workdir, "/tmp/work/sub/dir");
  spec.workdir = "/srv";
  EXPECT_EQ(make_exec_plan(spec, "t", "/tmp/work").workdir, "/srv");
}

TEST(ExecPlan, EmptyCommandAndBadRootfsAreConfigErrors) {
  try {
    make_exec_plan(spec_for({}), "t", "/w");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
  }
  ProcessSpec spec = spec_for({"true"});
  for (const char* bad : {"relative/root", "/no/such/dir"}) {
    spec.rootfs = bad;
    try {
      make_exec_plan(spec, "t", "/w");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Config) << bad;
    }
  }
}

}  // namespace
}  // namespace clnrm::sandbox
