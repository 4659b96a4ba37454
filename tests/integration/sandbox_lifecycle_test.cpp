// Lifetime guarantees that need a process of their own: SIGKILL of the
// process owning pods leaves nothing behind; an unprivileged runner gets a
// user namespace and the same isolation.
#include "base/proc_stat.h"
#include "integration/sandbox_test_support.h"

#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace clnrm::testing {
namespace {

// "state starttime" of a pid from /proc/<pid>/stat, or "" when it is gone.
std::pair<char, std::string> state_and_start(pid_t pid) {
  const std::optional<ProcStat> stat = read_proc_stat(pid);
  if (!stat) return {'?', ""};
  return {stat->state, std::to_string(stat->start_ticks)};
}

// Still the same, still running process (not gone, not a zombie, not a reused pid).
bool still_running(pid_t pid, const std::string& start) {
  const auto [state, now_start] = state_and_start(pid);
  return !now_start.empty() && now_start == start && state != 'Z' && state != 'X';
}

bool wait_until_gone(const std::string& marker, pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    if (host_processes_with(marker).empty() && !process_exists(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(SandboxLifecycle, SigkillOfTheOwnerLeavesNoProcessBehind) {
  const std::string marker = unique_marker("owner-killed");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    close(fds[0]);
    try {
      auto backend = make_sandbox_backend();
      PodSpec spec;
      spec.test_name = marker;
      auto pod = backend->create_pod(spec);
      ProcessSpec svc = shell("sleep 1000; : " + marker, "svc");
      auto service = pod->start_service(svc);
      std::thread([&pod, marker] {
        CancelToken never;
        pod->exec(shell("sleep 1000 & sleep 1000; : " + marker), never);
      }).detach();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      char ok = 'y';
      (void)!write(fds[1], &ok, 1);
      pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(fds[1]);
  char ok = 0;
  ASSERT_EQ(read(fds[0], &ok, 1), 1);
  close(fds[0]);
  // service sh + sleep, step sh + 2 sleeps (bounded wait: a loaded machine
  // may take a moment to start them)
  auto running = host_processes_with(marker);
  for (int i = 0; i < 1000 && running.size() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    running = host_processes_with(marker);
  }
  EXPECT_GE(running.size(), 5u);
  std::vector<std::string> starts;
  for (pid_t pid : running) starts.push_back(state_and_start(pid).second);
  const std::string parent = "/sys/fs/cgroup/pids/clnrm";
  const std::string prefix = std::to_string(owner) + "-";
  auto groups_left = [&] {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(parent))
      if (entry.path().filename().string().rfind(prefix, 0) == 0) ++n;
    return n;
  };
  EXPECT_GT(groups_left(), 0u) << "the owner's pods have pids groups under " << parent;
  kill(owner, SIGKILL);
  waitpid(owner, nullptr, 0);
  EXPECT_TRUE(wait_until_gone(marker, owner)) << host_processes_with(marker).size() << " left";
  // A SIGKILLed process loses its memory (so its environ) before it is gone:
  // wait, bounded, for the recorded ones to finish dying too.
  auto any_running = [&] {
    for (std::size_t i = 0; i < running.size(); ++i) {
      if (still_running(running[i], starts[i])) return true;
    }
    return false;
  };
  for (int i = 0; i < 1000 && any_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (std::size_t i = 0; i < running.size(); ++i) EXPECT_FALSE(still_running(running[i], starts[i])) << running[i];

  // Its empty cgroups stay until a backend makes a pod: it removes every
  // group of a runner that is gone (checked before the kill: any backend
  // of another test running beside may remove them as soon as the owner is
  // dead).
  // A killed task leaves its group once reaped, by whoever inherited it.
  auto groups_busy = [&] {
    for (const auto& entry : std::filesystem::directory_iterator(parent))
      if (entry.path().filename().string().rfind(prefix, 0) == 0 &&
          read_file_or_empty(entry.path().string() + "/pids.current") != "0\n")
        return true;
    return false;
  };
  for (int i = 0; i < 500 && groups_busy(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(groups_busy());
  auto backend = make_sandbox_backend();
  PodSpec spec;
  spec.test_name = marker + "-next";
  auto pod = backend->create_pod(spec);
  EXPECT_EQ(groups_left(), 0u);
}

TEST(SandboxLifecycle, UnprivilegedRunnerGetsAUserNamespace) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    std::string out;
    try {
      if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
        out = "setuid failed";
      } else {
        prctl(PR_SET_DUMPABLE, 1);  // a normal unprivileged runner is dumpable
        auto backend = make_sandbox_backend();
        PodSpec spec;
        spec.test_name = "unprivileged";
        auto pod = backend->create_pod(spec);
        CancelToken cancel;
        const ExecResult r = pod->exec(
            shell("echo $(id -u) $(hostname); echo x > /tmp/work/f && cat /tmp/work/f; echo y > /usr/zz 2>/dev/null || echo ro; "
                  "ls /proc | grep -cE '^[0-9]+$'"),
            cancel);
        out = r.stdout_data + "exit=" + std::to_string(r.exit_code) + " " + r.stderr_data;
      }
    } catch (const std::exception& e) {
      out = std::string("error: ") + e.what();
    }
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(out.rfind("0 cleanroom\nx\nro\n", 0), 0u) << out;
  EXPECT_NE(out.find("exit=0"), std::string::npos) << out;
}

}  // namespace
}  // namespace clnrm::testing
