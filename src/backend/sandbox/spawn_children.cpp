// Side: inside the pod (docs/SANDBOX.md, "Code by side"): the children of
// the runner-forked path (runner_spawn.h): C1 joins the pod, C2 lives in it
// and reports, C3 is the step init of step_init.cpp. They run after a clone
// of the multi-threaded runner, often on its memory: async-signal-safe calls
// only, on the SpawnRequest prepared before the clone.
#include "backend/sandbox/spawn_children.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/mounts.h"
#include "backend/sandbox/sanitized_build.h"
#include "backend/sandbox/step_init.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>

namespace clnrm::sandbox {
namespace {

// What the command did, filled in by C3, read by C2 after C3 is gone. C2
// maps it shared before cloning C3, so it is shared whether C3 shares C2's
// memory (CLONE_VM) or, in a sanitized build, gets a copy of it.
struct CommandStatus {
  StepStatus status;
  volatile sig_atomic_t valid = 0;
};
CommandStatus* g_command = nullptr;
// Separate signal targets because with CLONE_VM both processes run handlers
// on the same memory: C3's handlers signal step_init.cpp's own.
volatile sig_atomic_t g_c3_pid = 0;  // C2's handlers signal this
int g_kill_tree_signal = 0;          // set_kill_tree_signal(), in the parent before any clone

void forward_to_c3(int sig) {
  if (g_c3_pid > 0) ::kill(g_c3_pid, sig);
}
void kill_c3(int) {
  if (g_c3_pid > 0) ::kill(g_c3_pid, SIGKILL);
}

void set_handler(int sig, void (*handler)(int)) noexcept {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(sig, &sa, nullptr);
}

// Where C3's step init leaves the command's status: in shared memory, for
// C2 (which reports on the status pipe once C3 is gone).
void report_to_c2(const StepStatus& status) noexcept {
  g_command->status = status;
  g_command->valid = 1;
}

// C3: PID 1 of the step's own PID namespace, the step init (step_init.h),
// which leaves the command's wait status and resource usage in shared memory
// for C2.
int c3_main(void* arg) {
  const SpawnRequest& r = *static_cast<const SpawnRequest*>(arg);
  // If C2 is SIGKILLed this init (and so the whole namespace) goes too.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  set_handler(g_kill_tree_signal, SIG_DFL);
  StepInit init;
  init.exec = r.exec;
  init.security = r.security;
  init.report = report_to_c2;
  // Exiting as PID 1 makes the kernel kill every process left in this
  // namespace (daemons the step forked) before C2's wait returns.
  run_step_init(init);
}

// C2: in the pod's namespaces, a child of the runner. The kernel only lets a
// process create a PID namespace under its own active one, so C2 (already in
// the pod's) unshares the nested namespace and clones its init C3.
[[noreturn]] void c2_main(const SpawnRequest& r, char* c3_stack_top) noexcept {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  g_c3_pid = 0;

  const int stdio[4] = {r.stdin_fd, r.stdout_fd, r.stderr_fd, r.status_fd};
  if (!take_step_stdio(stdio)) ::_exit(127);
  // C2 and C3 hold a copy of the runner's memory and, until C3 drops them,
  // capabilities: not dumpable means a step cannot ptrace or read their
  // /proc/<pid>/mem through the pod's /proc.
  if (r.make_undumpable) ::prctl(PR_SET_DUMPABLE, 0);

  if (r.exec.rootfs[0] != '\0') {
    const char* stage = "rootfs";
    int e = ::unshare(CLONE_NEWNS) == 0 ? enter_rootfs(r.exec.rootfs, r.exec.rootfs_writable, &stage) : errno;
    if (e != 0) {
      write_str(2, "clnrm: cannot enter rootfs ");
      write_str(2, r.exec.rootfs);
      write_str(2, ": ");
      write_str(2, stage);
      write_str(2, ": ");
      write_str(2, ::strerrordesc_np(e));
      write_str(2, "\n");
      StepStatus failed;
      failed.wait_status = 127 << 8;
      write_all(3, reinterpret_cast<const char*>(&failed), sizeof failed);
      ::_exit(127);
    }
  }
  void* shared = ::mmap(nullptr, sizeof(CommandStatus), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    write_str(2, "clnrm: cannot map the step's status\n");
    ::_exit(127);
  }
  g_command = new (shared) CommandStatus;
  if (::unshare(CLONE_NEWPID) != 0) {
    write_str(2, "clnrm: unshare(CLONE_NEWPID) failed\n");
    ::_exit(127);
  }
  for (const int sig : kForwardedSignals) set_handler(sig, forward_to_c3);
  set_handler(g_kill_tree_signal, kill_c3);
  // A sanitized build forks C3 on a copy of this stack: sanitizers cannot
  // follow instrumented code on a stack of its own.
  pid_t c3;
  if (kSanitized) {
    c3 = clone_in_place(SIGCHLD);
    if (c3 == 0) ::_exit(c3_main(const_cast<SpawnRequest*>(&r)));
  } else {
    c3 = ::clone(c3_main, c3_stack_top, CLONE_VM | SIGCHLD, const_cast<SpawnRequest*>(&r));
  }
  if (c3 < 0) {
    write_str(2, "clnrm: cannot create the step's PID namespace init\n");
    ::_exit(127);
  }
  g_c3_pid = c3;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  int st = 0;
  rusage ru{};
  while (::wait4(c3, &st, 0, &ru) < 0 && errno == EINTR) {
  }
  StepStatus report;
  if (WIFEXITED(st) && g_command->valid) {
    report = g_command->status;
  } else {
    report.wait_status = st;  // C3 itself was killed: timeout, cancel, OOM
    report.user_us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec;
    report.system_us = ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
  }
  write_all(3, reinterpret_cast<const char*>(&report), sizeof report);
  ::_exit(0);
}

void c1_report(int fd, const SpawnReport& report) noexcept {
  write_all(fd, reinterpret_cast<const char*>(&report), sizeof report);
}

}  // namespace

int spawn_c1_main(void* arg) {
  const auto* ctx = static_cast<const SpawnChildContext*>(arg);
  const SpawnRequest& r = *ctx->request;
  for (const NamespaceJoin& ns : r.namespaces) {
    if (::setns(ns.fd, ns.type) != 0) {
      c1_report(ctx->report_fd, SpawnReport{-1, errno, ns.name});
      ::_exit(1);
    }
  }
  for (const int fd : r.cgroup_tasks_fds) {
    if (::write(fd, "0", 1) != 1) {
      c1_report(ctx->report_fd, SpawnReport{-1, errno, "joining the pod's cgroup"});
      ::_exit(1);
    }
  }
  // setns() keeps the runner's ids, unmapped in the pod's user namespace
  // (and, for a root runner, host root to every file check): take the pod's
  // root, as pod init did. Raw syscalls: nothing of glibc's thread list here.
  if (r.joins_user_namespace &&
      (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setresuid, 0, 0, 0) != 0)) {
    c1_report(ctx->report_fd, SpawnReport{-1, errno, "becoming root of the pod's user namespace"});
    ::_exit(1);
  }
  if (r.joins_user_namespace) ::syscall(SYS_setgroups, 0, nullptr);
  const pid_t pid = clone_in_place(CLONE_PARENT | SIGCHLD);
  if (pid == 0) c2_main(r, ctx->c3_stack_top);
  if (pid < 0) {
    c1_report(ctx->report_fd, SpawnReport{-1, errno, "clone(CLONE_PARENT)"});
    ::_exit(1);
  }
  c1_report(ctx->report_fd, SpawnReport{static_cast<pid_t>(pid), 0, nullptr});
  ::_exit(0);
}

void set_kill_tree_signal(int sig) noexcept { g_kill_tree_signal = sig; }

}  // namespace clnrm::sandbox
