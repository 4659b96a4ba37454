#pragma once
// The kept step agent of a service container: the service's step agent
// (service_agent.h) served by `clnrm-seccomp-exec` (src/seccomp_exec/
// agent_server.h) and reached with no engine exec: the runner takes the
// server's control socket with pidfd_getfd(2), hands it one end of a fresh
// socket pair, and speaks over the other what it speaks over an exec's
// hijacked stream (lines in, attach-framed output back). It comes to be in
// one of two ways:
//
// * Beside the service (Docker): the container's command is
//   `clnrm-seccomp-exec [filter] --serve-beside=3 -- sh -c <agent> SERVICE...`
//   (beside_agent_prefix; src/seccomp_exec/serve_beside.h). Before the
//   service's program runs, the helper forks the server off (double fork:
//   it is a child of the container's init, docker-init, never of the
//   service, and leads its own session with stdio on /dev/null), then execs
//   the service's program, which so keeps init's signal forwarding, its exit
//   status and logs. No engine exec at all, so a fresh service's first step
//   costs what a warm one's does. The runner finds the server among the
//   children of the container's init (State.Pid): the one whose command line
//   is exactly the container's command (the server forked and never
//   exec'd), whose executable is the helper and which leads its own
//   session (the service's own process, which has that command line until
//   it execs, does not). This identification is sound because the server
//   is forked before any of the service's code runs: a process the service
//   makes later that passes every check (it must exec the helper itself
//   with the container's command, so it runs clnrm's code) is a second one,
//   and two make the runner take neither. Whatever it takes, every pid it
//   then acts on (the server, its children, their trees) descends from the
//   container's init: nothing outside the container; and the service is
//   the server's sibling, never among the children kill_leftovers kills.
// * By a detached engine exec of `clnrm-seccomp-exec [filter] --reap
//   --serve -- sh -c <agent>` (start_kept_agent): the fallback for a
//   warm unit whose server died, containers of an older clnrm. The server's
//   pid comes from the exec's inspect.
//
// No path names the socket: nothing a test runs can reach it, in its own
// container or another. The server is not dumpable, and pidfd_getfd needs
// CAP_SYS_PTRACE over it, which no container of clnrm's grants; the host
// directory a named socket would need (and its cleanup after a SIGKILL)
// does not exist. The runner checks the process it takes the socket from:
// the exec's inspect names it, it runs exactly the command this runner
// would start (the same filter and reaper), and it is a child of the
// container's runtime shim (the parent of the container's PID 1), which no
// process inside the container can be; a server beside the service as
// above.
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

// The Entrypoint of a service container whose kept agent starts with it:
// `exec_prefix` (clnrm-seccomp-exec [filter] --reap --) with
// --serve-beside=3 for --reap, then the agent's sh (three arguments); the
// service's command follows.
std::vector<std::string> beside_agent_prefix(const std::vector<std::string>& exec_prefix);

// Starts a kept agent in the running `container` (a detached engine exec)
// and returns the exec's id. Throws Error(Backend) when the engine refuses.
std::string start_kept_agent(DockerClient& client, const std::string& container,
                             const std::vector<std::string>& exec_prefix);

// Waits (at most `limit`) until the server of exec `exec_id` has its
// control socket in place, as far as this host can see it.
void wait_kept_agent_ready(DockerClient& client, const std::string& exec_id, std::chrono::milliseconds limit);

// Waits (at most `limit`) until the server `container`'s command started
// beside the service (behind `exec_prefix`) has its control socket in place;
// false at once when its command starts none (start_kept_agent's turn).
bool wait_beside_agent_ready(DockerClient& client, const std::string& container,
                             const std::vector<std::string>& exec_prefix, std::chrono::milliseconds limit);

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
// `running` (when given) is set when one is running, reached or not: the
// caller then starts no other. A container whose command serves an agent
// beside the service is watched up to `beside_wait` for its server to offer
// its socket (a few ms after the container started); exec_id is then "".
std::optional<KeptAgentConnection> connect_kept_agent(DockerClient& client, const std::string& container,
                                                      const std::vector<std::string>& exec_prefix,
                                                      bool* running = nullptr,
                                                      std::chrono::milliseconds beside_wait = {});

}  // namespace clnrm::docker
