#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side"): the runner-forked path. C1
// and C2 below are the runner's own children; C3 is the one step init
// (step_init.h), as in the fork server.
//
// Spawning a step or service process inside a pod, safely from a
// multi-threaded runner:
//
//   runner ──clone(CLONE_VM|CLONE_VFORK)──▶ C1: setns() into the pod's
//     namespaces (must happen in a child: setns(mnt) is per process), joins the
//     pod's cgroups, then clone(CLONE_PARENT) ──▶ C2 and exits.
//   C2 lives in the pod's PID namespace and is a child of the runner
//     (CLONE_PARENT), which polls its pidfd and wait4()s it. It sets up stdio,
//     unshare(CLONE_NEWPID)s (the kernel creates a PID namespace only under the
//     caller's active one, so C1 cannot) and clone(CLONE_VM)s C3 (a copy in
//     a sanitized build). On the kill-tree signal it SIGKILLs C3; it reports
//     the command's status and resource usage on the status pipe.
//   C3 is PID 1 of the step's own nested PID namespace (PDEATHSIG on C2): the
//     step init (step_init.h) that applies the security plan, vfork()s C4,
//     forwards signals, reaps orphans. When it exits the kernel kills everything left in the
//     namespace, so a daemon a step forked cannot survive it.
//   C4 resets signal state and execve()s the command, trying each PATH
//     candidate; on failure it writes "clnrm: foo: command not found" to its
//     stderr and exits 127 (126 when not executable), like a shell.
//
// Children make only async-signal-safe calls on data prepared beforehand.

#include "backend/sandbox/spawn_request.h"
#include "backend/sandbox/step_status.h"
#include "base/unique_fd.h"

#include <sys/types.h>

#include <vector>

namespace clnrm::sandbox {

struct SpawnedProcess {
  pid_t pid = -1;   // C2: the nested PID namespace's init, a child of the runner
  UniqueFd pidfd;
};

// The signal that tells C2 to SIGKILL its PID namespace init and report:
// how the runner kills a step's whole tree and still gets a clean report.
int kill_tree_signal();

// Throws Error(Backend) naming the step that failed (e.g. "setns(net)").
SpawnedProcess spawn_in_pod(const SpawnRequest& request);

}  // namespace clnrm::sandbox
