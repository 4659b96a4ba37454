// The sandbox backend's cgroup pool: a destroyed pod's empty groups serve the
// next pod (with that pod's limits), and go away with the backend.
#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/sandbox_pod.h"
#include "integration/sandbox_test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

namespace clnrm::testing {
namespace {

// "/sys/fs/cgroup/<controller><path>" of pod init, from /proc/<pid>/cgroup.
std::string group_of(Pod& pod, const std::string& controller) {
  const pid_t pid = dynamic_cast<sandbox::SandboxPod&>(pod).init_pid();
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/cgroup"));
  std::string line;
  while (std::getline(in, line)) {
    // "4:memory:/clnrm/123-g1"
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (line.substr(first + 1, second - first - 1) == controller) {
      return "/sys/fs/cgroup/" + controller + line.substr(second + 1);
    }
  }
  return "";
}

PodSpec limited(const std::string& name, std::uint64_t memory_mb, std::uint32_t pids) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = SecurityLevel::Medium;
  spec.limits.memory_mb = memory_mb;
  spec.limits.pids = pids;
  return spec;
}

// Without standby pods: the next pod is made on demand, from the pool.
std::unique_ptr<Backend> backend_without_standby() {
  SandboxOptions options;
  options.standby_pods = 0;
  return make_sandbox_backend(options);
}

TEST(SandboxCgroupPool, AGroupServesTheNextPodWithItsOwnLimitsAndGoesWithTheBackend) {
  auto backend = backend_without_standby();
  std::string memory_group, pids_group;
  {
    auto pod = backend->create_pod(limited("pool-a", 96, 40));
    memory_group = group_of(*pod, "memory");
    pids_group = group_of(*pod, "pids");
    ASSERT_NE(memory_group.find("/clnrm/"), std::string::npos) << memory_group;
    EXPECT_EQ(read_file(pids_group + "/pids.max"), "40\n");
    EXPECT_EQ(read_file(memory_group + "/memory.limit_in_bytes"), std::to_string(96ull << 20) + "\n");
    pod->destroy();
  }
  EXPECT_TRUE(std::filesystem::exists(memory_group));  // pooled, not removed
  {
    // A larger memory limit than before (the memsw ordering) and other pids.
    auto pod = backend->create_pod(limited("pool-b", 128, 50));
    EXPECT_EQ(group_of(*pod, "memory"), memory_group);
    EXPECT_EQ(group_of(*pod, "pids"), pids_group);
    EXPECT_EQ(read_file(pids_group + "/pids.max"), "50\n");
    EXPECT_EQ(read_file(memory_group + "/memory.limit_in_bytes"), std::to_string(128ull << 20) + "\n");
    // The limits hold for this pod: a step cannot start more than 50 tasks.
    run(*pod, shell("for i in $(seq 60); do sleep 1 & done 2>/dev/null; wait"));
    const std::string events = read_file(pids_group + "/pids.events");  // "max <times the limit was hit>"
    EXPECT_GT(std::atoi(events.substr(events.find(' ') + 1).c_str()), 0) << events;
    pod->destroy();
  }
  backend.reset();
  EXPECT_FALSE(std::filesystem::exists(memory_group));
  EXPECT_FALSE(std::filesystem::exists(pids_group));
}

// expect_pod makes the first pod's groups ahead (sandbox_pod.h,
// prepare_pod_parts): a prepared group is what the next acquire takes, with
// no new directory made for it.
TEST(SandboxCgroupPool, APreparedGroupIsTheOneTheNextAcquireTakes) {
  const SandboxOptions options;
  const Parsed<std::string> parent = sandbox::cgroup_parent(options, "pids");
  ASSERT_TRUE(parent) << parent.error();
  // This process's groups only ("<pid>-g<N>"): tests in other processes
  // make groups under the same parent at the same time.
  const std::string mine = std::to_string(::getpid()) + "-";
  auto groups = [&] {
    std::set<std::string> dirs;
    for (const auto& entry : std::filesystem::directory_iterator(*parent))
      if (entry.is_directory() && entry.path().filename().string().rfind(mine, 0) == 0)
        dirs.insert(entry.path().string());
    return dirs;
  };
  sandbox::CgroupPool pool;
  const std::set<std::string> before = groups();
  pool.prepare(*parent);
  const std::set<std::string> prepared = groups();
  ASSERT_EQ(prepared.size(), before.size() + 1);
  std::string made;
  for (const std::string& dir : prepared)
    if (!before.count(dir)) made = dir;
  std::optional<sandbox::CgroupGroup> taken = pool.acquire(*parent);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->dir, made);
  EXPECT_TRUE(taken->tasks.valid());
  EXPECT_EQ(groups(), prepared);  // nothing new for the acquire
  pool.release(std::move(*taken));
  pool.close();
  EXPECT_FALSE(std::filesystem::exists(made));
}

TEST(SandboxCgroupPool, APodOutlivingItsBackendRemovesItsGroups) {
  auto backend = make_sandbox_backend();  // with a standby pod, destroyed with the backend
  auto pod = backend->create_pod(limited("pool-outlive", 64, 30));
  const std::string group = group_of(*pod, "pids");
  ASSERT_FALSE(group.empty());
  backend.reset();
  EXPECT_EQ(run(*pod, command({"true"})).exit_code, 0);
  pod->destroy();
  EXPECT_FALSE(std::filesystem::exists(group));
}

}  // namespace
}  // namespace clnrm::testing
