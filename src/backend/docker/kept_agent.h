#pragma once
// The kept step agent of a warm (reuse) or fresh-pool service container: the
// service's step agent (service_agent.h) started as a detached engine exec
// when the container is made, under `clnrm-seccomp-exec ... --reap --serve`
// (src/seccomp_exec/agent_server.h), and kept running between runs. A run
// then reaches it with no engine exec: it takes the server's control socket
// with pidfd_getfd(2) (the server's pid from the exec's inspect), hands it
// one end of a fresh socket pair, and speaks over the other what it speaks
// over an exec's hijacked stream (lines in, attach-framed output back).
//
// No path names the socket: nothing a test runs can reach it, in its own
// container or another. The server is not dumpable, and pidfd_getfd needs
// CAP_SYS_PTRACE over it, which no container of clnrm's grants; the host
// directory a named socket would need (and its cleanup after a SIGKILL)
// does not exist. The runner checks the process it takes the socket from:
// the exec's inspect names it, it runs exactly the command this runner
// would start (the same filter and reaper), and it is a child of the
// container's runtime shim (the parent of the container's PID 1), which no
// process inside the container can be.
//
// Needs a local engine whose processes this host sees, and the right to
// pidfd_getfd them (root, or CAP_SYS_PTRACE): otherwise connect_kept_agent
// finds nothing and steps go by today's engine-exec agent.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/docker/attach_stream.h"
#include "backend/docker/docker_client.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

// Whether this runner can use kept agents of `client`'s engine: one on this
// host (a unix socket; host pids mean nothing for another machine's), not
// Podman (it reports execs differently), and CAP_SYS_PTRACE here (root).
bool kept_agents_usable(DockerClient& client);

// The exec's command: `exec_prefix` (clnrm-seccomp-exec [filter] --reap --)
// with --serve before its "--", then the agent's sh.
std::vector<std::string> kept_agent_command(const std::vector<std::string>& exec_prefix);

// Starts a kept agent in the running `container` (a detached engine exec)
// and returns the exec's id. Throws Error(Backend) when the engine refuses.
std::string start_kept_agent(DockerClient& client, const std::string& container,
                             const std::vector<std::string>& exec_prefix);

// Waits (at most `limit`) until the server of exec `exec_id` has its
// control socket in place, as far as this host can see it.
void wait_kept_agent_ready(DockerClient& client, const std::string& exec_id, std::chrono::milliseconds limit);

struct KeptAgentConnection {
  std::unique_ptr<AttachStream> stream;
  std::string exec_id;
  long server_pid = 0;  // host pid of clnrm-seccomp-exec --reap --serve
};

// Hands the server whose control socket is `control` one end of a new
// stream socket pair (SCM_RIGHTS); returns the other end, invalid when the
// server does not take it at once.
UniqueFd hand_agent_connection(int control);

// A new connection to the running kept agent of `container` that was
// started with `exec_prefix`; nullopt when there is none or it cannot be
// reached from here (a remote engine, no right to pidfd_getfd).
// `running` (when given) is set when the engine lists one running, reached
// or not: the caller then starts no other.
std::optional<KeptAgentConnection> connect_kept_agent(DockerClient& client, const std::string& container,
                                                      const std::vector<std::string>& exec_prefix,
                                                      bool* running = nullptr);

}  // namespace clnrm::docker
