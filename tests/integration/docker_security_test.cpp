// Security levels on the docker backend: every escape docs/security.md lists tried
// at every level against the real engine; none may get out.
#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

class DockerEscape : public DockerSessionTest<SecurityLevel> {
 protected:
  void SetUp() override { open_session("escape"); }
  std::unique_ptr<Pod> pod(const std::string& name, LimitsSpec limits = {}) {
    PodSpec s = pod_spec(name);
    s.level = GetParam();
    s.limits = limits;
    return backend_->create_pod(s);
  }
  ExecResult sh(Pod& p, const std::string& script, int timeout_ms = 30'000) {
    ProcessSpec spec = cmd({"sh", "-c", script});
    spec.timeout = Duration(timeout_ms);
    return p.exec(spec, never_);
  }
};

TEST_P(DockerEscape, CannotWriteToUsrOrRootOfTheHost) {
  auto p = pod("write");
  const std::string name = unique("esc");
  const ExecResult r = sh(*p, "echo x > /usr/" + name + " && echo wrote-usr; echo x > /" + name + " && echo wrote-root");
  if (GetParam() != SecurityLevel::Low) {
    // Read-only root: the writes fail inside the container too.
    EXPECT_EQ(r.stdout_data, "") << r.stdout_data;
    EXPECT_NE(r.stderr_data.find("Read-only file system"), std::string::npos) << r.stderr_data;
  }
  // At low they land in the container's own scratch layer, never on the host.
  EXPECT_FALSE(std::filesystem::exists("/usr/" + name));
  EXPECT_FALSE(std::filesystem::exists("/" + name));
}

TEST_P(DockerEscape, CannotReadAnotherTestsWorkdir) {
  auto a = pod("wd-a");
  auto b = pod("wd-b");
  const std::string name = unique("secret");
  ASSERT_EQ(sh(*a, "echo secret > /tmp/" + name + " && cat /tmp/" + name).stdout_data, "secret\n");
  const ExecResult r = sh(*b, "cat /tmp/" + name + "; find / -xdev -name " + name + " 2>/dev/null");
  EXPECT_EQ(r.stdout_data.find("secret"), std::string::npos) << r.stdout_data;
}

TEST_P(DockerEscape, CannotConnectToAnotherTestsServicePort) {
  auto a = pod("net-a");
  auto b = pod("net-b");
  ProcessSpec svc;
  svc.name = "listener";
  svc.argv = {"sh", "-c", "while true; do echo hello | nc -l -p 7071; done"};
  auto service = a->start_service(svc);
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = sh(*a, "nc 127.0.0.1 7071 </dev/null | grep -q hello").exit_code == 0;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << service->logs();
  EXPECT_NE(sh(*b, "nc 127.0.0.1 7071 </dev/null | grep -q hello").exit_code, 0);
  // And no route off the pod's loopback at all.
  EXPECT_EQ(sh(*b, "ls /sys/class/net").stdout_data, "lo\n");
}

TEST_P(DockerEscape, CannotSeeHostProcesses) {
  auto p = pod("pids");
  const ExecResult r = sh(*p, "ls /proc | grep -cE '^[0-9]+$'; readlink /proc/self/ns/pid; test -e /proc/" +
                                   std::to_string(::getpid()) + "/environ && grep -l GTEST /proc/" +
                                   std::to_string(::getpid()) + "/environ");
  int procs = 0;
  char ns[64] = {};
  std::sscanf(r.stdout_data.c_str(), "%d %63s", &procs, ns);
  EXPECT_GT(procs, 0);
  EXPECT_LT(procs, 12) << r.stdout_data;
  char host_ns[64] = {};
  const ssize_t n = ::readlink("/proc/self/ns/pid", host_ns, sizeof host_ns - 1);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(ns), std::string(host_ns, static_cast<std::size_t>(n))) << "same PID namespace as the host";
  EXPECT_EQ(r.stdout_data.find("environ"), std::string::npos) << r.stdout_data;
}

TEST_P(DockerEscape, CannotMount) {
  auto p = pod("mount");
  const ExecResult r = sh(*p, "mkdir -p /tmp/d && mount -t tmpfs none /tmp/d && echo mounted; mount -o remount,rw / && echo remounted");
  EXPECT_EQ(r.stdout_data.find("mounted"), std::string::npos) << r.stdout_data;
}

TEST_P(DockerEscape, KeepsNoCapabilityBeyondThePolicy) {
  auto p = pod("caps");
  const std::string eff = sh(*p, "grep CapEff /proc/self/status | cut -f2").stdout_data;
  const std::uint64_t bits = std::stoull(eff, nullptr, 16);
  EXPECT_EQ(bits & (1ull << 21), 0u) << eff;  // never sys_admin
  if (GetParam() == SecurityLevel::High) {
    EXPECT_EQ(eff, "0000000000000000\n");
  }
  if (GetParam() == SecurityLevel::Medium) {
    EXPECT_EQ(bits & (1ull << 13), 0u) << eff;
  }  // no net_raw
}

TEST_P(DockerEscape, ForkBombIsStoppedByThePidsLimit) {
  LimitsSpec limits;
  limits.pids = 32;
  auto p = pod("forkbomb", limits);
  const ExecResult r = sh(*p, "for i in $(seq 200); do sleep 5 & done; ls /proc | grep -cE '^[0-9]+$'", 30'000);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.stderr_data.find("can't fork"), std::string::npos) << r.stderr_data.substr(0, 300);
}

TEST_P(DockerEscape, MemoryPastTheLimitIsKilledAndReportedOom) {
  LimitsSpec limits;
  limits.memory_mb = 32;
  auto p = pod("oom", limits);
  const ExecResult r = sh(*p, "dd if=/dev/zero of=/dev/null bs=256M count=1 && echo survived", 60'000);
  EXPECT_EQ(r.stdout_data.find("survived"), std::string::npos) << r.stdout_data;
  EXPECT_TRUE(r.oom_killed) << "exit " << r.exit_code << " signal " << r.term_signal << " " << r.stderr_data;
}

TEST_P(DockerEscape, EnforcedLimitsNameTheDockerMechanism) {
  LimitsSpec limits;
  limits.memory_mb = 64;
  auto p = pod("report", limits);
  bool memory = false;
  for (const auto& l : p->enforced_limits())
    memory |= l.what == "memory" && l.mechanism.find("docker cgroup (Memory=67108864") == 0 && l.value == "64 MiB";
  EXPECT_TRUE(memory);
}

INSTANTIATE_TEST_SUITE_P(Levels, DockerEscape,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm
