// Side: runner (docs/SANDBOX.md, "Code by side"): the runner-forked path
// (runner_spawn.h): clones C1 and waits for its report; the children's code
// is spawn_children.cpp.
#include "backend/sandbox/runner_spawn.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/pipe.h"
#include "backend/sandbox/sanitized_build.h"
#include "backend/sandbox/spawn_children.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

namespace clnrm::sandbox {
namespace {

constexpr std::size_t kStackSize = 256u << 10;

// One pair of stacks per runner thread: C1 runs on the first while this
// thread is suspended (CLONE_VFORK) and C2 continues on its own copy of it;
// C3 runs on C2's copy of the second.
char* child_stack_top(int which) {
  thread_local std::unique_ptr<char[]> stacks(new char[2 * kStackSize]);
  return stacks.get() + (which + 1) * kStackSize;
}

}  // namespace

int kill_tree_signal() { return SIGRTMAX - 1; }

SpawnedProcess spawn_in_pod(const SpawnRequest& request) {
  Pipe report_pipe = make_pipe(O_NONBLOCK);
  static const bool kill_tree_signal_set = [] {
    set_kill_tree_signal(kill_tree_signal());
    return true;
  }();
  (void)kill_tree_signal_set;
  SpawnChildContext ctx{&request, report_pipe.write.get(), child_stack_top(1)};
  // Sharing memory (CLONE_VM) saves copying the runner's page tables for C1;
  // the kernel refuses setns(CLONE_NEWUSER) to a process sharing its memory,
  // so with a user namespace C1 gets its own copy. A sanitized build uses
  // fork() itself: sanitizers follow it, not a raw clone() of a
  // multi-threaded process (pod_init_launcher.cpp says why).
  pid_t c1;
  if (kSanitized) {
    c1 = ::fork();
    if (c1 == 0) ::_exit(spawn_c1_main(&ctx));
  } else if (!request.joins_user_namespace) {
    c1 = ::clone(spawn_c1_main, child_stack_top(0), CLONE_VFORK | CLONE_VM | SIGCHLD, &ctx);
  } else {
    c1 = clone_in_place(CLONE_VFORK | SIGCHLD);
    if (c1 == 0) ::_exit(spawn_c1_main(&ctx));
  }
  if (c1 < 0) throw_errno("sandbox: clone of the namespace-joining helper");
  int c1_status = 0;
  while (::waitpid(c1, &c1_status, 0) < 0 && errno == EINTR) {
  }
  report_pipe.write.reset();
  SpawnReport report;
  const ssize_t n = ::read(report_pipe.read.get(), &report, sizeof report);
  if (n != static_cast<ssize_t>(sizeof report)) {
    throw Error(ErrorKind::Backend, fmt::format("the namespace-joining helper died (status {:#x})", c1_status),
                "sandbox spawn");
  }
  if (report.pid < 0) {
    std::string stage = report.stage != nullptr ? report.stage : "?";
    if (stage == "user" || stage == "mnt" || stage == "net" || stage == "pid" || stage == "ipc" || stage == "uts") {
      stage = "setns(" + stage + ")";
    }
    throw Error(ErrorKind::Backend, fmt::format("{} failed: {}", stage, std::strerror(report.error)),
                "sandbox spawn");
  }
  SpawnedProcess spawned;
  spawned.pid = report.pid;
  spawned.pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, report.pid, 0)));
  if (!spawned.pidfd.valid()) {
    const int e = errno;
    ::kill(report.pid, SIGKILL);
    ::waitpid(report.pid, nullptr, 0);
    errno = e;
    throw_errno("sandbox: pidfd_open");
  }
  return spawned;
}

}  // namespace clnrm::sandbox
