#pragma once
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
// runner-forked path (spawn.h).
//
// Direct steps: when the runner promises that nothing else runs in the pod
// (no service, no other step: PodSpec::sequential_steps) and pod init has no
// child left, a step skips the nested namespace: pod init vfork()s the command
// itself and, when it exits, kill(-1, SIGKILL)s whatever it left behind in the
// pod (PID 1's kill(-1) reaches every process of its namespace), reaps it all
// and only then writes the StepStatus. Same guarantees, one fork of the
// runner-sized address space and one PID namespace fewer per step. The runner
// then watches the status pipe (not the pidfd) for the end of the step.

#include "backend/sandbox/exec_plan.h"
#include "backend/sandbox/security.h"
#include "backend/sandbox/unique_fd.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace clnrm::sandbox {

// Memory pod init decodes requests into: allocated by the runner before the
// pod init is cloned (the child may not allocate), untouched until used.
struct ForkServerMemory {
  static constexpr std::size_t kBytes = 256u << 10;
  static constexpr std::size_t kPointers = 8192;
  std::unique_ptr<char[]> bytes{new char[kBytes]};
  std::unique_ptr<char*[]> pointers{new char*[kPointers]};
};

// The request for `plan`, or nullopt when it is too large for one message.
// `direct`: the caller guarantees nothing else runs in the pod meanwhile.
std::optional<std::vector<char>> encode_spawn_request(const ExecPlan& plan, bool with_stdin, bool direct = false);

struct SpawnReply {
  UniqueFd pidfd;       // the step init's, or the command's when `direct`
  bool direct = false;  // the step ends when the status pipe is written (or pod init dies)
};

// Sends a request with its descriptors and returns what pod init started.
// Throws Error(Backend) when the pod's fork server is gone or refuses.
SpawnReply request_spawn(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd, int stderr_fd,
                         int status_fd);

// Pod init's loop (async-signal-safe). Returns never: exits when the runner
// is gone (keeper EOF) or closed the control socket.
[[noreturn]] void serve_spawn_requests(int keeper_fd, int control_fd, const SecurityPlan& security,
                                       ForkServerMemory& memory) noexcept;

}  // namespace clnrm::sandbox
