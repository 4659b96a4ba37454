// Side: inside the pod (docs/SANDBOX.md, "Code by side"): a step's init
// (step_init.h). Async-signal-safe from here to the end: syscalls only, on
// data prepared before the fork.
#include "backend/sandbox/step_init.h"

#include "backend/sandbox/mounts.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>

namespace clnrm::sandbox {
namespace {

// The command's pid, for the forwarding handlers. A step init has memory of
// its own for it: a copy of pod init's (the fork server clones without
// CLONE_VM), or C2's copy of the runner's, which C2 only shares with this one
// step init (C2's own handlers signal runner_spawn.cpp's g_c3_pid).
volatile sig_atomic_t g_command_pid = 0;

void forward_to_command(int sig) {
  if (g_command_pid > 0) ::kill(g_command_pid, sig);
}

[[noreturn]] void step_init_fail(const StepInit& init, const char* what, int error) noexcept {
  write_failure(what, error);
  StepStatus status;
  status.wait_status = 127 << 8;
  init.report(status);
  ::_exit(127);
}

// Moves a descriptor above the stdio range, so dup2 onto 0-3 cannot clobber
// a source that already sits there (the runner may have closed its stdin).
int lift(int fd) noexcept { return fd < 0 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 10); }

}  // namespace

void add_usage(StepStatus& status, const rusage& usage) noexcept {
  status.user_us += usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec;
  status.system_us += usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec;
  if (usage.ru_maxrss > status.max_rss_kb) status.max_rss_kb = usage.ru_maxrss;
}

StepStatus reap_step_tree(pid_t command) noexcept {
  StepStatus result;
  for (;;) {
    int st = 0;
    rusage ru{};
    const pid_t w = ::wait4(-1, &st, 0, &ru);
    if (w > 0) add_usage(result, ru);
    if (w == command) {
      result.wait_status = st;
      break;
    }
    if (w < 0 && errno != EINTR) {
      result.wait_status = 127 << 8;
      break;
    }
  }
  return result;
}

bool take_step_stdio(const int fds[4]) noexcept {
  int in = fds[0] >= 0 ? lift(fds[0]) : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = lift(fds[1]);
  const int err = lift(fds[2]);
  const int status = lift(fds[3]);
  if (in < 0 || out < 0 || err < 0 || status < 0) return false;
  if (in < 10) in = lift(in);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::dup2(status, 3) < 0) return false;
  ::fcntl(3, F_SETFD, FD_CLOEXEC);  // the command must not inherit it
  // Nothing of the runner survives in the pod (C2), nor pod init's control
  // socket, keeper pipe and signalfd (the fork server's step init).
  ::close_range(4, ~0U, 0);
  return true;
}

int enter_step(const RawExec& exec, const SecurityPlan& security, bool from_fork_server, const char** stage) noexcept {
  if (from_fork_server && exec.rootfs[0] != '\0') {
    *stage = "rootfs";
    const int e = ::unshare(CLONE_NEWNS) == 0 ? enter_rootfs(exec.rootfs, exec.rootfs_writable, stage) : errno;
    if (e != 0) return e;
  }
  if (exec.uid >= 0) {
    if (const int e = switch_identity(exec.uid, exec.gid, stage); e != 0) return e;
  }
  if (::chdir(exec.workdir) != 0) {
    *stage = "cannot change to the workdir";
    return errno;
  }
  *stage = "security";
  return apply_security_in_child(security, stage, from_fork_server);
}

void report_on_status_pipe(const StepStatus& status) noexcept {
  write_all(3, reinterpret_cast<const char*>(&status), sizeof status);
}

void run_step_init(const StepInit& init) noexcept {
  if (init.stdio_fds != nullptr && !take_step_stdio(init.stdio_fds)) ::_exit(127);

  const RawExec& exec = init.exec;
  const char* stage = "";
  if (const int e = enter_step(exec, *init.security, init.from_fork_server, &stage); e != 0) {
    step_init_fail(init, stage, e);
  }

  struct sigaction fwd {};
  fwd.sa_handler = forward_to_command;
  sigfillset(&fwd.sa_mask);
  fwd.sa_flags = SA_RESTART;
  for (const int sig : kForwardedSignals) ::sigaction(sig, &fwd, nullptr);

  const pid_t child = ::vfork();
  if (child == 0) {
    // From the fork server only the forwarded signals have handlers (pod
    // init reset the rest); C3 carries the runner's dispositions: all reset.
    if (init.from_fork_server) {
      exec_command(exec, kForwardedSignals, static_cast<int>(std::size(kForwardedSignals)));
    }
    exec_command(exec);
  }
  if (child < 0) step_init_fail(init, "cannot fork", errno);
  g_command_pid = child;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  const StepStatus result = reap_step_tree(child);
  init.report(result);
  // Exiting as PID 1: the kernel kills whatever the command left running
  // before the status reader (the runner, or C2's wait) sees this init gone.
  ::_exit(0);
}

}  // namespace clnrm::sandbox
