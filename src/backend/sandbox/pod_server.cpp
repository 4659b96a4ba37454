// Side: inside the pod (docs/SANDBOX.md, "Code by side"): pod init's fork
// server loop and its direct steps (pod_server.h). Includes no runner-side
// header. Async-signal-safe from here to the end of the file: it runs in pod
// init, which may share the runner's memory.
#include "backend/sandbox/pod_server.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/step_init.h"
#include "base/spin_wait.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace clnrm::sandbox {
namespace {

// How long pod init polls for the first request of a pod the runner awaits
// before it blocks (spin_wait.h; the runner's own wait is in sandbox_pod.cpp).
constexpr std::int64_t kFirstRequestSpinNs = 500000;

// The direct step in progress. It lives on pod init's stack, not in a
// global: pod inits may share the runner's memory (pod_init_launcher.cpp), and with it
// each other's globals.
struct DirectStep {
  pid_t pid = -1;  // > 0 while a direct step runs
  int status_fd = -1;
  StepStatus status;
};

// The command of a direct step, in a vfork() child of pod init: it shares pod
// init's memory until execve, so only syscalls on this stack. `fds` are
// stdin (or -1), stdout, stderr, status; pod init's own 0-2 are /dev/null, so
// the received descriptors are all above 2 and dup2 cannot clobber one.
[[noreturn]] void direct_command(const DecodedSpawnRequest& request, const int fds[4],
                                 const SecurityPlan& security) noexcept {
  const int in = fds[0] >= 0 ? fds[0] : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(fds[2], 2) < 0) ::_exit(127);
  ::close_range(3, ~0U, 0);  // status pipe, keeper, control socket, signalfd
  const char* stage = "";
  if (const int e = enter_step(request.exec, security, true, &stage); e != 0) {
    write_failure(stage, e);
    ::_exit(127);
  }
  // Pod init's dispositions are already the defaults; only the mask is not.
  static constexpr int kNone[1] = {0};
  exec_command(request.exec, kNone, 0);
}

// The direct step's command exited with `wait_status`: kill what it left in
// the pod (nothing else runs there, the runner guarantees it), reap it all,
// then report, so the pod is empty again before the next step starts.
void finish_direct_step(DirectStep& direct, int wait_status) noexcept {
  direct.status.wait_status = wait_status;
  ::kill(-1, SIGKILL);
  for (;;) {
    int st = 0;
    rusage ru{};
    const pid_t w = ::wait4(-1, &st, 0, &ru);
    if (w > 0) {
      add_usage(direct.status, ru);
    } else if (errno != EINTR) {
      break;  // ECHILD: every process of the pod is gone
    }
  }
  write_all(direct.status_fd, reinterpret_cast<const char*>(&direct.status), sizeof direct.status);
  ::close(direct.status_fd);
  direct = DirectStep{};
}

void reap_children(DirectStep& direct) noexcept {
  for (;;) {
    int st = 0;
    rusage ru{};
    const pid_t w = ::wait4(-1, &st, WNOHANG, &ru);
    if (w <= 0) return;
    if (direct.pid <= 0) continue;
    add_usage(direct.status, ru);
    if (w == direct.pid) finish_direct_step(direct, st);
  }
}

bool has_children() noexcept {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void handle_request(int control_fd, const SecurityPlan& security, ForkServerMemory& memory,
                    DirectStep& direct) noexcept {
  int received[4] = {-1, -1, -1, -1};
  int count = 0;
  bool truncated = false;
  const ssize_t n = receive_spawn_request(control_fd, memory, received, &count, &truncated);
  if (n <= 0) ::_exit(0);  // the runner closed the pod: nothing left to serve

  DecodedSpawnRequest request;
  const bool ok = !truncated &&
                  decode_spawn_request(memory.bytes.get(), static_cast<std::size_t>(n), memory, request) &&
                  count == (request.with_stdin ? 4 : 3);
  if (!ok) {
    for (int i = 0; i < count; ++i) ::close(received[i]);
    send_spawn_reply(control_fd, EBADMSG, -1);
    return;
  }
  int fds[4] = {-1, -1, -1, -1};
  const int base = request.with_stdin ? 0 : 1;
  for (int i = 0; i < count; ++i) fds[base + i] = received[i];

  if (request.direct && direct.pid <= 0 && !has_children()) {
    const pid_t pid = ::vfork();
    if (pid == 0) direct_command(request, fds, security);
    int error = pid < 0 ? errno : 0;
    int pidfd = pid > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1;
    if (pid > 0 && pidfd < 0) {
      error = errno;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    const int status_fd = fds[3];
    for (int i = 0; i < count; ++i) {
      if (received[i] != status_fd || error != 0) ::close(received[i]);
    }
    if (error == 0) {
      direct.pid = pid;
      direct.status_fd = status_fd;
    }
    send_spawn_reply(control_fd, error, pidfd, error == 0);
    if (pidfd >= 0) ::close(pidfd);
    return;
  }

  int pidfd = -1;
  const pid_t pid = clone_in_place(CLONE_NEWPID | CLONE_PIDFD | SIGCHLD, &pidfd);
  if (pid == 0) {
    StepInit init;
    init.exec = request.exec;
    init.security = &security;
    init.stdio_fds = fds;
    init.from_fork_server = true;
    run_step_init(init);
  }
  const int error = pid < 0 ? errno : 0;
  for (int i = 0; i < count; ++i) ::close(received[i]);
  send_spawn_reply(control_fd, error, pid < 0 ? -1 : pidfd);
  if (pidfd >= 0) ::close(pidfd);
}

}  // namespace

void serve_spawn_requests(int keeper_fd, int control_fd, const SecurityPlan& security,
                          ForkServerMemory& memory, bool request_soon) noexcept {
  // SIGCHLD is blocked (pod init blocks everything); a signalfd tells when to reap.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const int sfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  DirectStep direct;
  // The runner sends the first request right after the ready report: poll
  // for it a moment instead of letting this CPU halt (spin_wait.h).
  if (request_soon) spin_until_readable(control_fd, kFirstRequestSpinNs);
  for (;;) {
    pollfd fds[3] = {{keeper_fd, POLLIN, 0}, {control_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    const int ready = ::poll(fds, sfd >= 0 ? 3 : 2, sfd >= 0 ? -1 : 100);
    if (ready < 0 && errno != EINTR) ::_exit(1);
    if (fds[0].revents != 0) ::_exit(0);  // keeper EOF: the runner process is gone
    if (sfd >= 0 && (fds[2].revents & POLLIN)) {
      signalfd_siginfo info;
      while (::read(sfd, &info, sizeof info) > 0) {
      }
    }
    reap_children(direct);
    if (fds[1].revents & POLLIN) {
      handle_request(control_fd, security, memory, direct);
    } else if (fds[1].revents & (POLLHUP | POLLERR)) {
      ::_exit(0);
    }
  }
}

}  // namespace clnrm::sandbox
