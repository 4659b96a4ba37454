#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"). Includes no
// runner-side header. Async-signal-safe throughout: it runs in a child of
// pod init's fork server (pod_server.cpp) or of the runner (C3, spawn_children.cpp),
// on data prepared before the fork.
//
// Step init: PID 1 of a step's own nested PID namespace, the one
// implementation for both ways a step is forked. It applies the security
// plan, vfork()s + execve()s the command, forwards kForwardedSignals to it,
// reaps every orphan, and reports the command's wait status and resource
// usage (StepStatus). When it exits the kernel kills whatever the step left
// in its namespace.

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/security.h"
#include "backend/sandbox/step_status.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

namespace clnrm::sandbox {

// The signals a step's init (and the runner-forked C2 in front of it) pass
// on to the command; every other signal to them is theirs. The one list.
inline constexpr int kForwardedSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// Adds a reaped process's CPU time to `status` and keeps the largest max RSS
// (async-signal-safe).
void add_usage(StepStatus& status, const rusage& usage) noexcept;

// As the init of a step's PID namespace: reaps every process of the tree,
// adding up their resource usage, until `command` exits (its status is the
// step's). Async-signal-safe: runs in a forked child.
StepStatus reap_step_tree(pid_t command) noexcept;

// Puts a step's `fds` -- stdin (or -1: /dev/null), stdout, stderr, status --
// on 0-3 (3 close-on-exec: the command must not inherit it) and closes every
// other descriptor. False when that failed (the caller _exit()s 127).
bool take_step_stdio(const int fds[4]) noexcept;

// What a step's process does before the command, nested or direct: its rootfs
// (when it has one and `from_fork_server`), its workdir, the security plan
// (from the fork server pod init already reduced the bounding set and reset
// signal dispositions). 0, or an errno with *stage naming what failed.
int enter_step(const RawExec& exec, const SecurityPlan& security, bool from_fork_server, const char** stage) noexcept;

// Writes `status` on fd 3, the status pipe.
void report_on_status_pipe(const StepStatus& status) noexcept;

struct StepInit {
  RawExec exec;
  const SecurityPlan* security = nullptr;
  // stdin (or -1), stdout, stderr, status, for take_step_stdio; null: they
  // are on 0-3 already (C2 put them there).
  const int* stdio_fds = nullptr;
  // Forked by pod init's fork server: the step enters exec.rootfs itself,
  // the bounding set is reduced and dispositions are the defaults (pod init
  // did both once). Otherwise (C3): C2 entered the rootfs, and the runner's
  // dispositions are all reset before the exec.
  bool from_fork_server = false;
  // Where the StepStatus goes (also the 127 of a failed start).
  void (*report)(const StepStatus& status) noexcept = report_on_status_pipe;
};

[[noreturn]] void run_step_init(const StepInit& init) noexcept;

}  // namespace clnrm::sandbox
