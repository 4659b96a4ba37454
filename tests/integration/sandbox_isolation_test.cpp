// What a sandbox pod must hide and keep in: host processes, the host
// filesystem, other pods' files and ports.
#include "integration/sandbox_test_support.h"

#include "backend/sandbox/sandbox_pod.h"
#include "base/unique_fd.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// Pod init, every step and every service are in one network namespace, not
// the runner's, owned by the pod's user namespace where it has one (so the
// pod's root may bind ports below 1024 in it), with loopback up; and nothing
// but pod init lives in a fresh pod. Both ways a pod gets it: made on demand
// (a child of pod init makes it beside pod init's setup: pod_network.h) and
// made ahead by the standby worker (the clone makes it).
TEST(SandboxIsolation, OneNetworkNamespaceOfThePodsOwn) {
  SandboxOptions on_demand;
  on_demand.standby_pods = 0;
  SandboxOptions ahead;
  ahead.standby_pods = 1;
  for (const SandboxOptions& options : {on_demand, ahead}) {
    for (const SecurityLevel level : {SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High}) {
      auto backend = make_sandbox_backend(options);
      PodSpec spec = spec_named("netns", level);
      spec.sequential_steps = std::getenv("CLNRM_TEST_SEQUENTIAL_STEPS") != nullptr;
      backend->expect_pod(spec);  // made ahead by the standby worker, where it has one
      auto pod = backend->create_pod(spec);
      const pid_t init = dynamic_cast<sandbox::SandboxPod&>(*pod).init_pid();
      const std::string init_net = std::filesystem::read_symlink("/proc/" + std::to_string(init) + "/ns/net");
      ASSERT_NE(init_net, std::filesystem::read_symlink("/proc/self/ns/net").string());
      const ExecResult r = run(*pod, shell("readlink /proc/self/ns/net; "
                                           "for p in /proc/[0-9]*; do read c < $p/comm && printf '%s ' $c; done"));
      ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
      // Nothing but pod init, the step's init (none for a direct step, which
      // pod init runs itself) and this sh (builtins only) live in a fresh pod.
      const bool direct = std::getenv("CLNRM_TEST_SEQUENTIAL_STEPS") != nullptr;
      EXPECT_EQ(r.stdout_data, init_net + (direct ? "\nclnrm-pod sh " : "\nclnrm-pod clnrm-pod sh "));
      ProcessSpec service;
      service.name = "sleeper";
      service.argv = {"sleep", "30"};
      auto running = pod->start_service(service);
      ASSERT_NE(running, nullptr);
      // The service may not have exec'd `sleep` yet when start_service returns.
      const ExecResult in_service = run(*pod, shell("for i in $(seq 200); do p=$(pgrep -x sleep) && break; sleep 0.01; done; "
                                                    "readlink /proc/$p/ns/net"));
      EXPECT_EQ(in_service.stdout_data, init_net + "\n") << in_service.stderr_data;
      // Owned by the pod's user namespace where it has one (medium, high): the
      // owner of the namespace is the user namespace pod init is in.
      const UniqueFd net(::open(("/proc/" + std::to_string(init) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
      ASSERT_TRUE(net.valid());
      const UniqueFd owner(::ioctl(net.get(), NS_GET_USERNS));
      ASSERT_TRUE(owner.valid()) << std::strerror(errno);
      struct stat owner_stat {}, init_user {};
      ASSERT_EQ(::fstat(owner.get(), &owner_stat), 0);
      ASSERT_EQ(::stat(("/proc/" + std::to_string(init) + "/ns/user").c_str(), &init_user), 0);
      EXPECT_EQ(owner_stat.st_ino, init_user.st_ino) << "level " << static_cast<int>(level);
      // Loopback is up: a TCP connection over it.
      const ExecResult tcp = run(*pod, shell("python3 -c \"import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
                                             "s.listen(); c = socket.create_connection(s.getsockname()); print('up')\""));
      EXPECT_EQ(tcp.stdout_data, "up\n") << tcp.stderr_data;
    }
  }
}

// Until pod init reports ready it may still be in the runner's network
// namespace (a pod made on demand has its own made beside its setup and
// entered last: pod_network.h): a pod not set up yet joins nothing to a
// network and connects nowhere, rather than through the host's.
TEST(SandboxIsolation, APodNotSetUpYetHasNoNetworkToLend) {
  PodSpec spec = spec_named("not-set-up");
  auto pod = sandbox::SandboxPod::launch(SandboxOptions{}, spec, nullptr, nullptr, nullptr, /*awaited_next=*/true);
  EXPECT_THROW(pod->connect_tcp(LoopbackIpv4{}, 9), Error);
  ProcessSpec service;
  service.name = "sleeper";
  service.argv = {"sleep", "30"};
  EXPECT_THROW(pod->start_service(service), Error);
  pod->await_setup();
  // Set up: its own namespace, where nothing listens on port 9.
  EXPECT_EQ(pod->connect_tcp(LoopbackIpv4{}, 9), -1);
  EXPECT_EQ(run(*pod, shell("echo up")).stdout_data, "up\n");
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
