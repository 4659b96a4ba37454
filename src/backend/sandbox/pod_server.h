#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. The runner's end is fork_client.h, the messages
// fork_protocol.h, the step init step_init.h.
//
// The pod's fork server. Pod init (single-threaded, already in every pod
// namespace and cgroup) forks steps and services on request, so the
// multi-threaded runner does not fork at all for them, and a step joins the
// pod's cgroups by inheritance instead of an expensive cgroup v1 migration.
//
//   runner ──SOCK_SEQPACKET: ExecPlan + stdio/status fds (SCM_RIGHTS)──▶ pod init
//   pod init: clone(CLONE_NEWPID | CLONE_PIDFD) ──▶ step init (PID 1 of a
//     fresh nested namespace), and replies with the pidfd (SCM_RIGHTS).
//   step init: stdio, optional rootfs, workdir, security plan, vfork() +
//     execve() of the command, signal forwarding, reaping; writes a
//     StepStatus (wait status + resource usage) on the status pipe.
//
// Killing the step init (pidfd_send_signal SIGKILL from the runner) kills its
// whole namespace. Requests that do not fit in one message fall back to the
// runner-forked path (runner_spawn.h).
//
// Direct steps: when the runner promises that nothing else runs in the pod
// (no service, no other step: PodSpec::sequential_steps) and pod init has no
// child left, a step skips the nested namespace: pod init vfork()s the command
// itself and, when it exits, kill(-1, SIGKILL)s whatever it left behind in the
// pod (PID 1's kill(-1) reaches every process of its namespace), reaps it all
// and only then writes the StepStatus. Same guarantees, one fork of the
// runner-sized address space and one PID namespace fewer per step. The runner
// then watches the status pipe (not the pidfd) for the end of the step.

#include "backend/sandbox/fork_protocol.h"
#include "backend/sandbox/security.h"

namespace clnrm::sandbox {

// Pod init's loop (async-signal-safe). Returns never: exits when the runner
// is gone (keeper EOF) or closed the control socket. `request_soon`: the
// runner sends the first request right away (PodInitConfig::awaited),
// which is polled for a moment (base/spin_wait.h).
[[noreturn]] void serve_spawn_requests(int keeper_fd, int control_fd, const SecurityPlan& security,
                                       ForkServerMemory& memory, bool request_soon) noexcept;

}  // namespace clnrm::sandbox
