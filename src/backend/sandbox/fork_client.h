#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side"). The runner's end of a pod's
// fork server (pod_server.h describes the exchange, fork_protocol.h the
// messages): one request, one reply, under PodCore::fork_server_mutex.

#include "base/unique_fd.h"

#include <vector>

namespace clnrm::sandbox {

struct SpawnReply {
  UniqueFd pidfd;       // the step init's, or the command's when `direct`
  bool direct = false;  // the step ends when the status pipe is written (or pod init dies)
};

// Sends a request with its descriptors and returns what pod init started.
// Throws Error(Backend) when the pod's fork server is gone or refuses.
SpawnReply request_spawn(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd, int stderr_fd,
                         int status_fd);

}  // namespace clnrm::sandbox
