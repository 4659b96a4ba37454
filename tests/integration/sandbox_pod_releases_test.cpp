// A backend with a standby worker has the worker release what destroyed
// pods leave (src/backend/sandbox/pod_releases.h): every process of the pod
// is gone when destroy() returns, and its namespaces and groups are gone
// when the backend is.
#include "backend/sandbox/sandbox_pod.h"
#include "integration/sandbox_test_support.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

namespace clnrm::testing {
namespace {

std::string link_of(const std::string& path) {
  char buf[256];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// How many of this process's descriptors are `target` ("mnt:[4026...]").
int descriptors_of(const std::string& target) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    if (link_of(entry.path()) == target) ++count;
  }
  return count;
}

std::string pids_group_of(pid_t pid) {
  const std::string text = read_file_or_empty("/proc/" + std::to_string(pid) + "/cgroup");
  const auto at = text.find(":pids:");
  if (at == std::string::npos) return "";
  return "/sys/fs/cgroup/pids" + text.substr(at + 6, text.find('\n', at) - at - 6);
}

// A medium pod with a pids group.
PodSpec with_a_group(const std::string& name) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = SecurityLevel::Medium;
  spec.limits.pids = 40;
  return spec;
}

TEST(SandboxPodReleases, ADestroyedPodsNamespacesAndGroupsAreGoneWithTheBackend) {
  auto backend = make_sandbox_backend();  // standby pods on: a worker
  auto pod = backend->create_pod(with_a_group("releases"));
  const pid_t init = dynamic_cast<sandbox::SandboxPod&>(*pod).init_pid();
  const std::string mnt = link_of("/proc/" + std::to_string(init) + "/ns/mnt");
  const std::string net = link_of("/proc/" + std::to_string(init) + "/ns/net");
  const std::string group = pids_group_of(init);
  ASSERT_FALSE(mnt.empty());
  ASSERT_FALSE(group.empty());
  EXPECT_EQ(run(*pod, command({"true"})).exit_code, 0);
  EXPECT_GE(descriptors_of(mnt), 1);  // the runner holds the pod's namespaces
  pod->destroy();
  // Pod init was reaped before destroy() returned.
  EXPECT_EQ(::kill(init, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  backend.reset();
  EXPECT_EQ(descriptors_of(mnt), 0) << mnt;
  EXPECT_EQ(descriptors_of(net), 0) << net;
  EXPECT_FALSE(std::filesystem::exists(group)) << group;
}

// With the last planned pod served, no pod will take a group from the pool:
// a destroyed pod's groups are removed as the worker releases them, while
// the backend lives.
TEST(SandboxPodReleases, AfterTheLastPlannedPodItsGroupsAreRemovedNotPooled) {
  SandboxOptions options;
  options.pods_planned = 1;
  auto backend = make_sandbox_backend(options);
  const PodSpec spec = with_a_group("releases-last");
  backend->expect_pod(spec);
  auto pod = backend->create_pod(spec);
  const std::string group = pids_group_of(dynamic_cast<sandbox::SandboxPod&>(*pod).init_pid());
  ASSERT_FALSE(group.empty());
  pod->destroy();
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !std::filesystem::exists(group);
    if (!gone) ::usleep(10'000);
  }
  EXPECT_TRUE(gone) << group << " is still there while the backend lives";
}

}  // namespace
}  // namespace clnrm::testing
