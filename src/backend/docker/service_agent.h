#pragma once
// Fast steps inside a service container (`service = "x"`): the step agent
// (step_agent.h) started as ONE engine exec when the service starts, with
// stdin, stdout and stderr on a hijacked exec-start connection kept open for
// the service's life. A step is then one line written to it instead of an
// engine exec's create + start + inspect and a runc exec.
//
// Steps keep the isolation of engine-exec steps: the agent runs each one as
// `clnrm-seccomp-exec [filter] --reap -- <command>` (the same prefix), so
// nothing a step starts outlives it. The agent itself runs under that
// prefix too, so it is a child of a subreaper: an orphan whose step reaper
// was SIGKILLed by its own step goes to that outer reaper, not to the
// service's PID 1, and is killed after the step (kill_leftovers below). The
// agent is not the container's PID 1, so its sweep (kill -9 -1) never runs
// here: kStepAgentScript guards it with [ $$ = 1 ].
//
// The engine's kill API signals the service's PID 1, not the agent, so a
// timed-out or cancelled step is killed from the host: the process tree of
// the agent's children (kill_host_process_tree), host pids from the exec's
// inspect. That needs a local engine whose processes this host sees; start()
// checks it and otherwise returns nothing (steps then go by engine exec).
//
// On Docker the agent starts with the service's container instead (keep(),
// kept_agent.h): the same sh loop under the same filter, served by
// `clnrm-seccomp-exec --serve-beside=3` (or, replacing a killed one in a
// warm container, `--reap --serve`), which is then the outer reaper and is
// reached with no engine exec; a warm (reuse) or fresh-pool container keeps
// it between runs. start()'s exec is the fallback.
//
// Exec output is not part of the container's logs (GET /containers/{id}/logs
// reads the container's main process only), so the agent's markers never
// reach a service's `wait_for.log` or its reported logs.

#include <clnrm/backend.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "backend/docker/docker_client.h"
#include "backend/docker/step_agent.h"

namespace clnrm::docker {

class ServiceAgent {
 public:
  // Starts the agent in the running `container` behind `command_prefix`
  // (reaping_exec_prefix: clnrm-seccomp-exec [filter] --reap --), which its
  // steps run behind too. nullptr when it cannot serve steps: no sh in the
  // image, or the engine's processes are not visible from this host.
  static std::unique_ptr<ServiceAgent> start(DockerClient& client, const std::string& container,
                                             const std::vector<std::string>& command_prefix);

  // The kept agent of a container (kept_agent.h), reached with no engine
  // exec: the one its command started beside the service (waited for up to
  // `beside_wait`), or a warm or pooled container's; `start_if_missing`
  // starts one (a detached exec) when the container has none running, for
  // this run and the next. First kills what a step of an earlier run left
  // running (its runner was killed). nullptr when there is none to be had:
  // steps then go by start()'s agent.
  static std::unique_ptr<ServiceAgent> keep(DockerClient& client, const std::string& container,
                                            const std::vector<std::string>& command_prefix, bool start_if_missing,
                                            std::chrono::milliseconds beside_wait = {});

  // Runs one step. Throws Error(Backend) when the agent died during it;
  // broken() is then true and later steps must go by engine exec.
  ExecResult run(const ProcessSpec& spec, const CancelToken& cancel);
  bool broken() const noexcept { return agent_->broken(); }
  // The exec's id (the engine lists it in the container's ExecIDs); "" for
  // a server started with the container.
  const std::string& exec_id() const noexcept { return exec_id_; }
  // Host pid of the outer reaper: the exec's process or the kept server.
  long reaper_pid() const noexcept { return reaper_pid_; }
  // Reached through a kept agent's server (keep()), not an exec of its own.
  bool kept() const noexcept { return kept_; }

 private:
  ServiceAgent(std::unique_ptr<StepAgent> agent, std::string exec_id, long reaper_pid, long agent_pid);
  // Kills the process trees of the agent's children (the running step) and
  // of the outer reaper's children other than the agent (orphans of a step
  // that killed its own reaper).
  void kill_leftovers();

  std::unique_ptr<StepAgent> agent_;
  std::string exec_id_;
  long reaper_pid_;  // host pid of the exec's process: clnrm-seccomp-exec --reap
  long agent_pid_;   // host pid of its child, the agent's sh
  bool kept_ = false;
};

}  // namespace clnrm::docker
