#pragma once
// Side: shared protocol (docs/SANDBOX.md, "Code by side"). What the runner
// and pod init's fork server say to each other over the pod's control socket
// (SOCK_SEQPACKET, pod_server.h has the whole exchange):
//
//   request  one message: a WireHeader, then NUL-terminated strings
//            (workdir, rootfs, the two failure messages, argv, envp, PATH
//            candidates), with stdin (optional), stdout, stderr and the
//            status pipe as SCM_RIGHTS;
//   reply    one message: errno of the clone (0: started) and whether the
//            step runs direct, with its pidfd as SCM_RIGHTS.
//
// Each end's half is marked: pod init's half is async-signal-safe (it runs in
// pod init, which may share the runner's memory: no allocation, no locks);
// the runner's half may allocate. Included by both sides; includes neither.

#include "backend/sandbox/child_exec.h"
#include "base/unique_fd.h"

#include <sys/types.h>

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

// ---- the runner's half ----

// The request for `exec` (raw_exec of the runner's ExecPlan), or nullopt
// when it is too large for one message. `direct`: the caller guarantees
// nothing else runs in the pod meanwhile.
std::optional<std::vector<char>> encode_spawn_request(const RawExec& exec, bool with_stdin, bool direct = false);

// Sends `request` with its descriptors (stdin_fd -1: none). Returns what
// sendmsg returned (-1 with errno).
ssize_t send_spawn_request(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd,
                           int stderr_fd, int status_fd);

struct WireReply {
  int error = 0;   // errno of the clone in pod init; 0 = a pidfd is attached
  int direct = 0;  // 1: a direct step, which ends when its status is written
};

// Receives pod init's reply into `reply` and its descriptor, if any, into
// `pidfd`. Returns what recvmsg returned (sizeof(WireReply) when whole).
ssize_t receive_spawn_reply(int control_fd, WireReply& reply, UniqueFd& pidfd);

// ---- pod init's half (async-signal-safe) ----

// A request decoded in place: every pointer points into ForkServerMemory.
struct DecodedSpawnRequest {
  RawExec exec;
  bool with_stdin = false;
  bool direct = false;
};

// Receives one request into memory.bytes and up to 4 descriptors into
// `received` (*count of them; any beyond are closed). Returns what recvmsg
// returned (0: the runner closed the socket); *truncated when the message or
// its descriptors did not fit.
ssize_t receive_spawn_request(int control_fd, ForkServerMemory& memory, int received[4], int* count,
                              bool* truncated) noexcept;

// Decodes a received request of `size` bytes in place. False when the
// message is malformed.
bool decode_spawn_request(char* data, std::size_t size, ForkServerMemory& memory, DecodedSpawnRequest& out) noexcept;

// Replies `error` (0: started), with `pidfd` attached when >= 0.
void send_spawn_reply(int control_fd, int error, int pidfd, bool direct = false) noexcept;

}  // namespace clnrm::sandbox
