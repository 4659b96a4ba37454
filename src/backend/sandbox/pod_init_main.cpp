// Side: inside the pod (docs/SANDBOX.md, "Code by side"): pod init, PID 1
// of the pod (pod_init_main.h). Includes no runner-side header. Async-signal-
// safe throughout: with CLONE_VM it runs on the runner's memory (the parent
// threads in pod_init_launcher.cpp say why and when), otherwise in a copy of
// a multi-threaded process.
#include "backend/sandbox/pod_init_main.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/mounts.h"
#include "backend/sandbox/pod_network.h"
#include "backend/sandbox/pod_server.h"
#include "base/descriptor_passing.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace clnrm::sandbox {

namespace {

// Receives the `tasks` descriptors of the pod's groups (pod_init_config.h,
// cgroup_count) and writes "0" to each: this process joins them. 0, or the
// errno of what failed.
int join_cgroups(int control_fd, int expected) noexcept {
  int fds[kMaxPassedDescriptors];
  std::size_t count = 0;
  bool truncated = false;
  char byte = 0;
  const ssize_t n = receive_with_descriptors(control_fd, &byte, 1, fds, kMaxPassedDescriptors, &count, &truncated);
  int error = n < 0 ? errno : 0;
  if (error == 0 && (n != 1 || truncated || count != static_cast<std::size_t>(expected))) error = EPROTO;
  for (std::size_t i = 0; i < count; ++i) {
    if (error == 0 && ::write(fds[i], "0", 1) != 1) error = errno;
    ::close(fds[i]);
  }
  return error;
}

// Joins the pod's groups when it has any, or reports why not and exits.
void join_cgroups_or_exit(const PodInitConfig& cfg) noexcept {
  if (cfg.cgroup_count == 0) return;
  if (int e = join_cgroups(cfg.control_fd, cfg.cgroup_count); e != 0) {
    report_pod_init(cfg.report_fd, e, "joining the pod's cgroups");
    ::_exit(1);
  }
}

// Waits for the runner's go (pod_init_config.h, go_fd), or the second token
// (late_ending); false when the runner is gone meanwhile: EOF on the keeper
// pipe (it may have died before PDEATHSIG was armed, and an eventfd has no
// EOF of its own). A runner that gives up on a pod kills its pod init.
bool wait_for_go(int go_fd, int keeper_fd) noexcept {
  pollfd fds[2] = {{go_fd, POLLIN, 0}, {keeper_fd, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents != 0) return false;
    if (fds[0].revents & POLLIN) {
      std::uint64_t go = 0;
      return ::read(go_fd, &go, sizeof go) == static_cast<ssize_t>(sizeof go);
    }
    if (fds[0].revents != 0) return false;
  }
}

}  // namespace

void report_pod_init(int fd, int error, const char* stage, bool started) noexcept {
  const PodInitReport r{error, stage, started};
  while (::write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

int pod_init_main(void* arg) {
  const auto& cfg = *static_cast<const PodInitConfig*>(arg);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Only the runner holds the keeper pipe open now (pod_init_config.h,
  // keeper_write_fd); before anything is cloned that would share the copy.
  if (cfg.keeper_write_fd >= 0) ::close(cfg.keeper_write_fd);
  // Once this arrives the runner learns the pid (CLONE_PARENT_SETTID, or in
  // a sanitized build from the parent thread: PodInitParent::taken()).
  report_pod_init(cfg.report_fd, 0, nullptr, true);
  // Loopback while the runner writes the uid/gid maps: it needs only the
  // capabilities a new user namespace gives its first process from the
  // start, not mapped ids, and only what was fixed at the clone (a pod init
  // cloned before the runner knew its test, early_pod_init.h, reads the rest
  // of `cfg` only once set going). A failure is reported after the
  // handshake, like any other.
  // Or, made beside (pod_init_config.h, network_beside), a child makes the
  // network namespace while this process goes on.
  const char* network_stage = "network";
  int network_error = 0;
  if (cfg.network_beside) {
    network_error = start_network_beside(*cfg.network_beside);
    if (network_error != 0) network_stage = "starting the child that makes the pod's network namespace";
  } else if ((cfg.clone_flags & CLONE_NEWNET) != 0) {
    network_error = bring_up_loopback(&network_stage);
  }
  // Once for every process the fork server will fork: default signal
  // dispositions (the runner may ignore some). Before the go, while the
  // runner still reads its test: 64 system calls less after it.
  if (cfg.control_fd >= 0) reset_signal_dispositions();
  // Wait for the parent: uid/gid maps come first.
  if (cfg.go_fd >= 0 && !wait_for_go(cfg.go_fd, cfg.keeper_fd)) ::_exit(1);
  if (network_error != 0) {
    report_pod_init(cfg.report_fd, network_error, network_stage);
    ::_exit(1);
  }
  if (int e = set_pod_hostname(cfg.hostname, &network_stage); e != 0) {
    report_pod_init(cfg.report_fd, e, network_stage);
    ::_exit(1);
  }

  const char* stage = "setup";
  int shared_fds[kMaxSharedDirs];
  if (int e = prepare_pod_mounts(cfg.mounts, shared_fds, &stage); e != 0) {
    report_pod_init(cfg.report_fd, e, stage);
    ::_exit(1);
  }
  if (cfg.become_namespace_root) {
    // Raw syscalls: glibc's set*id would signal every thread of what it
    // takes for this process (with CLONE_VM, the runner's).
    if (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setresuid, 0, 0, 0) != 0) {
      report_pod_init(cfg.report_fd, errno, "becoming root of the pod's user namespace");
      ::_exit(1);
    }
    // The runner's supplementary groups are not the pod's (EPERM where the
    // runner was unprivileged and setgroups is denied: it has none to lose).
    ::syscall(SYS_setgroups, 0, nullptr);
    // The id change cleared the parent-death signal: set again (a runner
    // gone in between is the keeper pipe's EOF at the next wait).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  }
  // A session keyring of its own: the runner's (and through it the runner
  // user's keyring, which possession would grant) stays out of reach.
  ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr);
  if (!cfg.late_ending) join_cgroups_or_exit(cfg);
  if (int e = assemble_pod_root(cfg.mounts, shared_fds, &stage); e != 0) {
    report_pod_init(cfg.report_fd, e, stage);
    ::_exit(1);
  }
  // Made long since, most likely; before anything of the pod is forked, and
  // before the ready report (the runner opens it only after that). Needs
  // nothing of the end of the setup: entered while the runner may still be
  // making that, not after it.
  if (cfg.network_beside) {
    if (int e = enter_network_beside(*cfg.network_beside, &stage); e != 0) {
      report_pod_init(cfg.report_fd, e, stage);
      ::_exit(1);
    }
  }
  // The runner may still be making the end of the setup (groups, security
  // plan, the paths to cover).
  if (cfg.late_ending) {
    if (!wait_for_go(cfg.go_fd, cfg.keeper_fd)) ::_exit(1);
    join_cgroups_or_exit(cfg);
  }
  if (int e = seal_pod_root(*cfg.covered, &stage); e != 0) {
    report_pod_init(cfg.report_fd, e, stage);
    ::_exit(1);
  }
  if (cfg.control_fd >= 0) {
    // Once for every process the fork server will fork: the level's
    // bounding set. Pod init keeps its own effective capabilities
    // (CLONE_NEWPID needs CAP_SYS_ADMIN).
    if (int e = drop_bounding_set(*cfg.security, &stage); e != 0) {
      report_pod_init(cfg.report_fd, e, stage);
      ::_exit(1);
    }
  }
  ::prctl(PR_SET_NAME, "clnrm-pod");
  // Steps run as root too; not dumpable means they cannot ptrace the pod's
  // init to borrow its capabilities.
  ::prctl(PR_SET_DUMPABLE, 0);

  // Keep only the keeper pipe (as fd 3) and /dev/null on 0-2: a pod must not
  // hold the runner's terminal, sockets or other pods' pipes open.
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const int keeper = ::fcntl(cfg.keeper_fd, F_DUPFD_CLOEXEC, 10);
  const int control = cfg.control_fd >= 0 ? ::fcntl(cfg.control_fd, F_DUPFD_CLOEXEC, 10) : -1;
  if (null_fd < 0 || keeper < 0 || (cfg.control_fd >= 0 && control < 0)) {
    report_pod_init(cfg.report_fd, errno, "preparing pod init descriptors");
    ::_exit(1);
  }
  // With CLONE_VM, `cfg` is the runner's and gone once the runner has the
  // report: keep what the fork server needs.
  const SecurityPlan* security = cfg.security;
  ForkServerMemory* memory = cfg.fork_server_memory;
  const bool request_soon = cfg.awaited;
  report_pod_init(cfg.report_fd, 0, nullptr);
  ::dup2(null_fd, 0);
  ::dup2(null_fd, 1);
  ::dup2(null_fd, 2);
  ::dup2(keeper, 3);
  if (control >= 0) ::dup2(control, 4);
  ::close_range(control >= 0 ? 5 : 4, ~0U, 0);

  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  if (control >= 0) serve_spawn_requests(3, 4, *security, *memory, request_soon);
  for (;;) {
    char byte;
    const ssize_t r = ::read(3, &byte, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) ::_exit(0);  // the runner is gone
  }
}

}  // namespace clnrm::sandbox
