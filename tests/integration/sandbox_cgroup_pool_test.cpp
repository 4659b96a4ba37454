// The sandbox backend's cgroup pool: a destroyed pod's empty groups serve the
// next pod (with that pod's limits), and go away with the backend, as spares
// the next run takes (cgroups.cpp, "Spare groups").
#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/sandbox_pod.h"
#include "integration/sandbox_test_support.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

namespace clnrm::testing {
namespace {

// "/sys/fs/cgroup/<controller><path>" of pod init, from /proc/<pid>/cgroup.
std::string group_of(Pod& pod, const std::string& controller) {
  const pid_t pid = dynamic_cast<sandbox::SandboxPod&>(pod).init_pid();
  std::istringstream in(read_file_or_empty("/proc/" + std::to_string(pid) + "/cgroup"));
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
    EXPECT_EQ(read_file_or_empty(pids_group + "/pids.max"), "40\n");
    EXPECT_EQ(read_file_or_empty(memory_group + "/memory.limit_in_bytes"), std::to_string(96ull << 20) + "\n");
    pod->destroy();
  }
  EXPECT_TRUE(std::filesystem::exists(memory_group));  // pooled, not removed
  {
    // A larger memory limit than before (the memsw ordering) and other pids.
    auto pod = backend->create_pod(limited("pool-b", 128, 50));
    EXPECT_EQ(group_of(*pod, "memory"), memory_group);
    EXPECT_EQ(group_of(*pod, "pids"), pids_group);
    EXPECT_EQ(read_file_or_empty(pids_group + "/pids.max"), "50\n");
    EXPECT_EQ(read_file_or_empty(memory_group + "/memory.limit_in_bytes"), std::to_string(128ull << 20) + "\n");
    // The limits hold for this pod: a step cannot start more than 50 tasks.
    run(*pod, shell("for i in $(seq 60); do sleep 1 & done 2>/dev/null; wait"));
    const std::string events = read_file_or_empty(pids_group + "/pids.events");  // "max <times the limit was hit>"
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


// A parent group of the test's own, so that no other test process takes or
// leaves spares in it meanwhile; removed with everything in it at the end.
struct OwnParent {
  SandboxOptions options;
  OwnParent() {
    options.standby_pods = 0;
    options.cgroup_parent = "clnrm-spares-" + std::to_string(::getpid());
  }
  ~OwnParent() {
    remove_stale_sandbox_cgroups(options);
    for (const char* controller : {"memory", "pids", "cpu"})
      ::rmdir((options.cgroup_root + "/" + controller + "/" + options.cgroup_parent).c_str());
  }
  std::string dir(const std::string& controller, const std::string& name) const {
    return options.cgroup_root + "/" + controller + "/" + options.cgroup_parent + "/" + name;
  }
  int spares(const std::string& controller) const {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir(controller, "")))
      n += e.is_directory() && e.path().filename().string().rfind("spare-", 0) == 0 ? 1 : 0;
    return n;
  }
};

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(SandboxCgroupPool, AGroupOutlivesItsBackendAsASpareTheNextBackendTakesWithItsOwnLimits) {
  const OwnParent parent;
  std::string first;
  {
    auto backend = make_sandbox_backend(parent.options);
    auto pod = backend->create_pod(limited("spare-a", 96, 40));
    first = group_of(*pod, "memory");
    pod->destroy();
  }
  const std::string spare = parent.dir("memory", "spare-0");
  EXPECT_FALSE(std::filesystem::exists(first));
  ASSERT_TRUE(std::filesystem::exists(spare)) << "the backend removed its group instead of leaving it";
  ASSERT_TRUE(std::filesystem::exists(parent.dir("pids", "spare-0")));
  const ino_t spare_inode = inode_of(spare);
  {
    auto backend = make_sandbox_backend(parent.options);
    auto pod = backend->create_pod(limited("spare-b", 128, 50));
    const std::string taken = group_of(*pod, "memory");
    const std::string pids = group_of(*pod, "pids");
    EXPECT_FALSE(std::filesystem::exists(spare));
    EXPECT_EQ(inode_of(taken), spare_inode) << taken << " is a new group, not the spare";
    EXPECT_NE(taken, first);  // renamed to this run's "<pid>-g<n>"
    EXPECT_EQ(read_file_or_empty(taken + "/memory.limit_in_bytes"), std::to_string(128ull << 20) + "\n");
    EXPECT_EQ(read_file_or_empty(pids + "/pids.max"), "50\n");
    // (That a reused group's limits hold: AGroupServesTheNextPod... above.)
    EXPECT_EQ(run(*pod, command({"true"})).exit_code, 0);
    pod->destroy();
  }
  EXPECT_EQ(inode_of(spare), spare_inode) << "the group did not go back as the spare";
  // Six pods at once leave four spares per controller; the rest is removed.
  {
    auto backend = make_sandbox_backend(parent.options);
    std::vector<std::unique_ptr<Pod>> pods;
    for (int i = 0; i < 6; ++i) pods.push_back(backend->create_pod(limited("spare-" + std::to_string(i), 64, 30)));
    for (auto& pod : pods) pod->destroy();
  }
  EXPECT_EQ(parent.spares("memory"), 4);
  EXPECT_EQ(parent.spares("pids"), 4);
  for (const auto& e : std::filesystem::directory_iterator(parent.dir("memory", ""))) {
    if (e.is_directory()) {
      EXPECT_EQ(e.path().filename().string().rfind("spare-", 0), 0u) << e.path();
    }
  }
  // `clnrm cleanup` takes the spares too.
  const std::vector<std::string> removed = remove_stale_sandbox_cgroups(parent.options);
  EXPECT_EQ(removed.size(), 8u);
  EXPECT_EQ(parent.spares("memory"), 0);
  EXPECT_EQ(parent.spares("pids"), 0);
}

TEST(SandboxCgroupPool, AMemoryGroupStillHoldingMuchPageCacheIsRemovedNotKeptAsASpare) {
  const OwnParent parent;
  const Parsed<std::string> memory = sandbox::cgroup_parent(parent.options, "memory");
  ASSERT_TRUE(memory) << memory.error();
  TempDir scratch;
  const std::string file = scratch.file("written");
  sandbox::CgroupPool pool;
  std::optional<sandbox::CgroupGroup> clean = pool.acquire(*memory);
  std::optional<sandbox::CgroupGroup> charged = pool.acquire(*memory);
  ASSERT_TRUE(clean && charged);
  // A process of the group writes 16 MiB to a host file: page cache charged
  // to the group after the process is gone.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    static char block[1 << 20];
    std::memset(block, 'x', sizeof block);
    if (::write(charged->tasks.get(), "0", 1) != 1) ::_exit(2);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (int i = 0; i < 16; ++i)
      if (fd < 0 || ::write(fd, block, sizeof block) != static_cast<ssize_t>(sizeof block)) ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const ino_t clean_inode = inode_of(clean->dir);
  pool.release(std::move(*clean));
  pool.release(std::move(*charged));
  pool.close();
  EXPECT_EQ(parent.spares("memory"), 1);
  EXPECT_EQ(inode_of(parent.dir("memory", "spare-0")), clean_inode) << "the charged group was kept";
}

}  // namespace
}  // namespace clnrm::testing
