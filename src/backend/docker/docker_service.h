#pragma once
// A service container of a docker pod (or an adopted warm reuse container).

#include <clnrm/backend.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>

#include "backend/docker/backend_state.h"
#include "backend/docker/reuse.h"
#include "backend/docker/service_agent.h"

namespace clnrm::docker {

// Whether a service's step agent is kept between runs (kept_agent.h).
enum class KeptAgent {
  none,          // the agent is an exec of this run's (service_agent.h)
  beside,        // a fresh container whose command starts one (kept_agent.h)
  if_running,    // a fresh-pool entry: its refill started one, else none
  start,         // a warm reuse container: adopt its agent, else start one
};

class DockerService final : public ServiceInstance {
 public:
  // `reuse_lock` non-null for reuse containers: they are released, not
  // removed, by stop(); the lock is shared with the pod that adopted them.
  // `exec_prefix` goes before every exec's command (clnrm-seccomp-exec
  // [filter] --reap). `step_agent`: start a step agent in the container now,
  // in the background (service_agent.h); steps use it once it answers.
  // `kept`: take the container's kept agent instead when it has one.
  DockerService(std::shared_ptr<BackendState> state, std::string container_id, std::string name,
                std::shared_ptr<FileLock> reuse_lock, bool adopted, std::vector<std::string> exec_prefix = {},
                bool step_agent = false, KeptAgent kept = KeptAgent::none);
  ~DockerService() override;

  const std::string& id() const override { return id_; }
  bool running() override;
  std::optional<int> exit_code() override;
  std::string logs(std::size_t tail_bytes) override;
  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override;
  void stop(Duration grace) override;

  // A warm reuse container: stop() releases it (the next test or run may
  // adopt it) instead of removing it.
  bool kept_warm() const noexcept { return reuse_lock_ != nullptr; }
  // True when an existing warm container was adopted (not created now).
  bool adopted() const noexcept { return adopted_; }
  bool reused() const override { return adopted_; }
  bool pooled() const override { return pooled_; }
  // Taken from the fresh pool (fresh_pool.h) rather than created now.
  void mark_pooled() noexcept { pooled_ = true; }
  // "running", "exited (code 1, OOMKilled)" ... for readiness error messages.
  std::string describe_state() override;
  // The step agent's exec id once it serves steps, else "" (tests); "" too
  // for a kept agent started with the container (kept_agent.h).
  std::string step_agent_exec_id();
  // Host pid of the agent's outer reaper (its exec's process, or the kept
  // agent's server) once it serves steps, else 0 (tests).
  long step_agent_reaper_pid();
  // True when that agent is a kept one (kept_agent.h), reached with no exec.
  bool step_agent_kept();

 private:
  // The agent when it is up and free (waits for its start, at most until
  // `deadline` or a cancel); nullptr: use an engine exec.
  ServiceAgent* usable_agent(std::unique_lock<std::mutex>& held, const CancelToken& cancel,
                             std::chrono::steady_clock::time_point deadline);
  // usable_agent once it is up (at most 30 s), for the accessors of tests.
  ServiceAgent* started_agent(std::unique_lock<std::mutex>& held);
  // Ends the agent's exec (closes its connection; its reaper kills what is left).
  void close_agent();

  std::shared_ptr<BackendState> state_;
  std::string id_;
  std::string name_;
  std::shared_ptr<FileLock> reuse_lock_;
  bool adopted_ = false;
  bool pooled_ = false;
  std::vector<std::string> exec_prefix_;
  // The step agent: being started (agent_start_ valid), running (agent_),
  // or none (engine execs). agent_mutex_ is held while a step uses it; a
  // step that finds it held (a concurrent step) goes by engine exec.
  std::mutex agent_mutex_;
  std::future<std::unique_ptr<ServiceAgent>> agent_start_;
  std::unique_ptr<ServiceAgent> agent_;
  std::mutex mutex_;
  bool stopped_ = false;
};

}  // namespace clnrm::docker
