#pragma once
// Fast steps: a step container's PID 1 is a tiny busybox-sh loop (the "step
// agent") that reads one command per line from its stdin and runs it in a
// new session, printing an end marker with the exit status on both output
// streams. clnrm keeps one attach connection open per step container, so a
// step costs one write and the output frames instead of the engine's
// exec create + start + inspect (three requests and a runc exec).
//
// The marker is "\x1e<nonce>:<status>\n" with a random nonce per step, so a
// program cannot fake it. A timed-out or cancelled step's session is killed
// with an engine exec (`kill -9 -<pgid>`), which works for remote engines too.

#include <clnrm/backend.h>

#include <memory>
#include <string>
#include <string_view>

#include "backend/docker/attach_stream.h"
#include "backend/docker/docker_client.h"
#include "backend/docker/stream_demuxer.h"

namespace clnrm::docker {

// The agent loop (argument of `sh -c`).
extern const char* const kStepAgentScript;

std::string shell_quote(std::string_view s);
// The shell text that runs `spec` (workdir, env, CLNRM_STEP, stdin, argv).
std::string step_script(const ProcessSpec& spec);

class StepAgent {
 public:
  // Attaches to a created, not yet started container (so no output is lost).
  StepAgent(DockerClient& client, std::string container_id);
  // Runs one step. Throws Error(Backend) when the agent is gone; after that
  // broken() is true and the caller should use another container.
  ExecResult run(const ProcessSpec& spec, const CancelToken& cancel);
  bool broken() const noexcept { return broken_; }

 private:
  // Reads until both streams carry the end marker or `deadline` passes.
  bool read_until_done(const std::string& marker, std::chrono::steady_clock::time_point deadline,
                       const CancelToken* cancel);
  void kill_session(const std::string& nonce, std::chrono::steady_clock::time_point deadline);

  DockerClient& client_;
  std::string id_;
  std::unique_ptr<AttachStream> stream_;
  StreamDemuxer demux_;
  bool broken_ = false;
  std::string pid_;  // the running step's session id (its pgid), from the agent
  std::size_t limit_ = 16u << 20;  // output bytes kept per stream
};

}  // namespace clnrm::docker
