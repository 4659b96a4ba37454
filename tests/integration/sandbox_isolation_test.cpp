// What a sandbox pod must hide and keep in: host processes, the host
// filesystem, other pods' files and ports.
#include "integration/sandbox_test_support.h"

#include <unistd.h>

#include <filesystem>

namespace clnrm::testing {
namespace {

TEST(SandboxIsolation, HostnameIsCleanroom) {
  auto pod = make_test_pod("hostname");
  EXPECT_EQ(run(*pod, command({"hostname"})).stdout_data, "cleanroom\n");
}

TEST(SandboxIsolation, CannotSeeHostProcesses) {
  auto pod = make_test_pod("pids");
  // The test runner itself is a host process: its pid must not show up.
  const ExecResult r = run(*pod, shell("ls /proc | grep -E '^[0-9]+$' | wc -l; ps -e -o pid= | wc -l; cat /proc/1/comm"));
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  std::istringstream lines(r.stdout_data);
  int proc_count = 0, ps_count = 0;
  std::string init_name;
  lines >> proc_count >> ps_count >> init_name;
  EXPECT_GT(proc_count, 0);
  EXPECT_LT(proc_count, 12) << r.stdout_data;  // pod init + this step's few processes
  EXPECT_LT(ps_count, 12) << r.stdout_data;
  EXPECT_EQ(init_name, "clnrm-pod");
  const ExecResult self = run(*pod, shell("test -e /proc/" + std::to_string(getpid()) + "/environ && grep -c CLNRM_HOST_ONLY /proc/*/environ"));
  EXPECT_NE(self.exit_code, 0);
}

TEST(SandboxIsolation, CannotWriteToUsrOrRoot) {
  auto pod = make_test_pod("readonly");
  const std::string name = unique_marker("ro");
  EXPECT_NE(run(*pod, shell("echo x > /usr/" + name)).exit_code, 0);
  EXPECT_NE(run(*pod, shell("echo x > /" + name)).exit_code, 0);
  EXPECT_NE(run(*pod, shell("mkdir /etc/" + name)).exit_code, 0);
  const ExecResult r = run(*pod, shell("touch /usr/bin/" + name));
  EXPECT_NE(r.stderr_data.find("Read-only file system"), std::string::npos) << r.stderr_data;
  EXPECT_FALSE(std::filesystem::exists("/usr/" + name));
  EXPECT_FALSE(std::filesystem::exists("/" + name));
  // Not even at low, as root with Docker's default capabilities.
  auto low = make_test_pod("readonly-low", SecurityLevel::Low);
  EXPECT_NE(run(*low, shell("mount -o remount,rw / ; echo x > /usr/" + name)).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists("/usr/" + name));
}

TEST(SandboxIsolation, TmpAndWorkdirAreSharedWithinAPodOnly) {
  auto a = make_test_pod("share-a");
  auto b = make_test_pod("share-b");
  const std::string name = unique_marker("shared");
  ASSERT_EQ(run(*a, shell("echo tmp > /tmp/" + name + " && echo work > " + name)).exit_code, 0);
  EXPECT_EQ(run(*a, shell("cat /tmp/" + name + " /tmp/work/" + name)).stdout_data, "tmp\nwork\n");
  // Invisible from another pod and from the host.
  EXPECT_NE(run(*b, shell("cat /tmp/" + name)).exit_code, 0);
  EXPECT_NE(run(*b, shell("cat " + name)).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists("/tmp/" + name));
  EXPECT_FALSE(std::filesystem::exists("/tmp/work/" + name));
}

TEST(SandboxIsolation, OnlyLoopbackIsUp) {
  auto pod = make_test_pod("net");
  const ExecResult r = run(*pod, shell("ls /sys/class/net 2>/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1"));
  ASSERT_EQ(r.exit_code, 0);
  // /proc/net follows the process's network namespace: only lo.
  EXPECT_NE(r.stdout_data.find("lo"), std::string::npos);
  const ExecResult devs = run(*pod, shell("tail -n +3 /proc/net/dev | wc -l"));
  EXPECT_EQ(devs.stdout_data, "1\n");
  const ExecResult route = run(*pod, shell("cat /proc/net/route | wc -l"));
  EXPECT_EQ(route.stdout_data, "1\n");  // header only: no route out
}

TEST(SandboxIsolation, EnforcedLimitsAreReported) {
  LimitsSpec limits;
  limits.memory_mb = 128;
  limits.pids = 64;
  auto pod = make_test_pod("limits-report", SecurityLevel::High, limits);
  bool memory = false, pids = false, seccomp = false;
  for (const auto& l : pod->enforced_limits()) {
    if (l.what == "memory") memory = l.mechanism.find("cgroup v1") != std::string::npos && l.value == "128 MiB";
    if (l.what == "pids") pids = l.mechanism.find("cgroup v1") != std::string::npos && l.value == "64";
    if (l.what == "seccomp") seccomp = l.mechanism.find("seccomp") != std::string::npos;
  }
  EXPECT_TRUE(memory);
  EXPECT_TRUE(pids);
  EXPECT_TRUE(seccomp);
}

}  // namespace
}  // namespace clnrm::testing
