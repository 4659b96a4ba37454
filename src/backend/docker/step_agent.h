#pragma once
// Fast steps: a step container's PID 1 is a tiny busybox-sh loop (the "step
// agent") that reads one command per line from its stdin and runs it in a
// new session, printing an end marker with the exit status on both output
// streams. clnrm keeps one attach connection open per step container, so a
// step costs one write and the output frames instead of the engine's
// exec create + start + inspect (three requests and a runc exec).
//
// The marker is "\x1e<nonce>:<status>\n" with a random nonce per step, so a
// program cannot fake it.
//
// Nothing a step starts outlives it, whatever it did to leave its process
// group (setsid, double fork, nohup, ignoring SIGTERM): the agent is the
// container's PID 1, so every orphan in the container becomes its child, and
// kill(-1, SIGKILL) from PID 1 reaches every other process of the
// container's PID namespace. After a step, when no other step runs in the
// container (step_gate.h), the pod asks the agent to sweep(): kill -9 -1,
// then wait until /proc lists nothing but PID 1. A timed-out or cancelled
// step is ended by a signal to PID 1 through the engine's kill API (no exec,
// works for remote engines too): SIGUSR1 = the same sweep (no other step
// runs), SIGUSR2 = kill the step's session only (other steps run next to it;
// the sweep follows when the last of them ends).
//
// Inside a service container the same loop runs as an engine exec, not as
// PID 1 (service_agent.h): there it never sweeps, and its steps run behind
// clnrm-seccomp-exec --reap (the command prefix given to the constructor).

#include <clnrm/backend.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backend/docker/attach_stream.h"
#include "backend/docker/docker_client.h"
#include "backend/docker/stream_demuxer.h"

namespace clnrm::docker {

// The agent loop (argument of `sh -c`).
extern const char* const kStepAgentScript;

std::string shell_quote(std::string_view s);
// The shell text that runs `spec` (workdir, env, CLNRM_STEP, stdin, argv);
// `command_prefix` (clnrm-seccomp-exec ... --reap --) goes before the command.
std::string step_script(const ProcessSpec& spec, const std::vector<std::string>& command_prefix = {});

class StepAgent {
 public:
  // Attaches to a created, not yet started container (so no output is lost).
  StepAgent(DockerClient& client, std::string container_id);
  // Talks to an agent started some other way (an engine exec in a service
  // container, service_agent.h) over `stream`; every step's command runs
  // behind `command_prefix`.
  StepAgent(DockerClient& client, std::string container_id, std::unique_ptr<AttachStream> stream,
            std::vector<std::string> command_prefix);
  // Runs one step. Throws Error(Backend) when the agent is gone; after that
  // broken() is true and the caller should use another container. When the
  // step times out or is cancelled, `on_abort` must call interrupt().
  ExecResult run(const ProcessSpec& spec, const CancelToken& cancel, const std::function<void()>& on_abort);
  // Ends the running step: `everything` kills every process of the container
  // but the agent (only when no other step runs there), else only the
  // step's session.
  void interrupt(bool everything);
  // Kills every process of the container but the agent and returns once
  // they are all gone. Only when no step runs in the container.
  void sweep();
  // One empty round trip: true once the agent's loop answers (the image has
  // sh and the agent runs), false (and broken()) when it does not within
  // `timeout`.
  bool ping(std::chrono::milliseconds timeout);
  bool broken() const noexcept { return broken_; }

 private:
  // Sends one line and waits for its marker; false when none came by `timeout`.
  bool round_trip(const std::string& text, std::chrono::milliseconds timeout);
  // Reads until both streams carry the end marker or `deadline` passes.
  bool read_until_done(const std::string& marker, std::chrono::steady_clock::time_point deadline,
                       const CancelToken* cancel);

  DockerClient& client_;
  std::string id_;
  std::unique_ptr<AttachStream> stream_;
  StreamDemuxer demux_;
  std::vector<std::string> command_prefix_;
  bool broken_ = false;
  std::size_t limit_ = 16u << 20;  // output bytes kept per stream
};

}  // namespace clnrm::docker
