// `clnrm cleanup` removes the empty sandbox cgroup directories of runners
// that are gone, as the next `clnrm run` would (src/cli/cleanup_command.cpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "e2e/run_process.h"

using namespace run_e2e;
namespace fs = std::filesystem;

namespace {

// A pid that belonged to a process that has exited (and was reaped).
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST(CleanupCommand, RemovesTheCgroupDirectoriesOfDeadRunners) {
  const std::string parent = "/sys/fs/cgroup/pids/clnrm";
  if (::geteuid() != 0 || !fs::exists("/sys/fs/cgroup/pids/cgroup.procs"))
    GTEST_SKIP() << "needs root and the cgroup v1 pids hierarchy";
  std::error_code ec;
  fs::create_directories(parent, ec);
  // The names the sandbox gives its groups: "<runner pid>-g<n>".
  const std::string live = parent + "/" + std::to_string(::getpid()) + "-g424242";
  ASSERT_EQ(::mkdir(live.c_str(), 0755), 0) << live;
  // A sandbox backend starting in another test process removes dead
  // runners' groups too (remove_stale_cgroups): when one took this test's
  // group first, try again with a new one.
  std::string dead;
  Outcome r;
  bool removed_by_cleanup = false;
  for (int attempt = 0; attempt < 5 && !removed_by_cleanup; ++attempt) {
    dead = parent + "/" + std::to_string(dead_pid()) + "-g1";
    ASSERT_EQ(::mkdir(dead.c_str(), 0755), 0) << dead;
    // An engine address nobody listens on: this test leaves others' containers alone.
    r = run_clnrm({"cleanup", "--docker-host", "unix:///nonexistent/clnrm-cleanup-test.sock"});
    EXPECT_LT(r.exit_code, 128) << r.err;
    EXPECT_FALSE(fs::exists(dead)) << r.out << r.err;
    removed_by_cleanup = r.out.find("removed " + dead + "\n") != std::string::npos;
  }
  EXPECT_TRUE(removed_by_cleanup) << r.out;
  EXPECT_NE(r.out.find("cgroup director"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(live)) << "a live runner's group is kept";
  // A spare group runs leave for the next one (src/backend/sandbox/cgroups.cpp):
  // cleanup takes it too (or a run took it meanwhile: gone either way).
  const std::string spare = parent + "/spare-3";
  ::mkdir(spare.c_str(), 0755);
  r = run_clnrm({"cleanup", "--docker-host", "unix:///nonexistent/clnrm-cleanup-test.sock"});
  EXPECT_FALSE(fs::exists(spare)) << r.out;
  ::rmdir(live.c_str());
  ::rmdir(dead.c_str());
}
