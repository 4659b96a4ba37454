// Side: runner (docs/SANDBOX.md, "Code by side"): the fork server's client.
#include "backend/sandbox/fork_client.h"

#include "backend/sandbox/fork_protocol.h"

#include <clnrm/error.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace clnrm::sandbox {

SpawnReply request_spawn(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd,
                         int stderr_fd, int status_fd) {
  if (send_spawn_request(control_fd, request, stdin_fd, stdout_fd, stderr_fd, status_fd) < 0) {
    throw Error(ErrorKind::Backend, fmt::format("the pod's fork server is gone: {}", std::strerror(errno)),
                "sandbox spawn");
  }

  WireReply r;
  UniqueFd pidfd;
  if (receive_spawn_reply(control_fd, r, pidfd) != static_cast<ssize_t>(sizeof r)) {
    throw Error(ErrorKind::Backend, "the pod's fork server did not answer (was the pod destroyed?)", "sandbox spawn");
  }
  if (r.error != 0 || !pidfd.valid()) {
    throw Error(ErrorKind::Backend,
                fmt::format("the pod's fork server could not start the process: {}", std::strerror(r.error)),
                "sandbox spawn");
  }
  return SpawnReply{std::move(pidfd), r.direct != 0};
}

}  // namespace clnrm::sandbox
