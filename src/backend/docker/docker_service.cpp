#include "backend/docker/docker_service.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <algorithm>

namespace clnrm::docker {

DockerService::DockerService(std::shared_ptr<BackendState> state, std::string container_id, std::string name,
                             std::shared_ptr<FileLock> reuse_lock, bool adopted, std::vector<std::string> exec_prefix,
                             bool step_agent, KeptAgent kept)
    : state_(std::move(state)),
      id_(std::move(container_id)),
      name_(std::move(name)),
      reuse_lock_(std::move(reuse_lock)),
      adopted_(adopted),
      exec_prefix_(std::move(exec_prefix)) {
  if (!step_agent || exec_prefix_.empty()) return;
  // Off the critical path: the exec starts while the runner waits for the
  // service to be ready (or starts the next service).
  // A container made now has its server beside the service start a few ms
  // after it (kept_agent.h): worth a wait, unlike an adopted one's.
  const auto beside_wait = kept == KeptAgent::beside || (kept == KeptAgent::start && !adopted)
                               ? std::chrono::milliseconds(2000)
                               : std::chrono::milliseconds(0);
  agent_start_ = std::async(std::launch::async, [state = state_, id = id_, prefix = exec_prefix_, kept, beside_wait]() {
    try {
      if (kept != KeptAgent::none) {
        try {
          if (auto agent = ServiceAgent::keep(*state->client, id, prefix, kept == KeptAgent::start, beside_wait))
            return agent;
        } catch (const Error&) {
          // None to be had: this run's own, as for any service.
        }
      }
      return ServiceAgent::start(*state->client, id, prefix);
    } catch (...) {
      return std::unique_ptr<ServiceAgent>();  // engine execs, as without the agent
    }
  });
}

DockerService::~DockerService() {
  try {
    stop(Duration(0));
  } catch (...) {
    // Destructors never throw; the pod and the reaper remove what is left.
  }
}

bool DockerService::running() {
  auto j = state_->client->container_inspect(id_);
  return j && (*j)["State"].value("Running", false);
}

std::optional<int> DockerService::exit_code() {
  auto j = state_->client->container_inspect(id_);
  if (!j) return -1;  // removed behind our back
  const auto& s = (*j)["State"];
  if (s.value("Running", false)) return std::nullopt;
  return s.value("ExitCode", -1);
}

std::string DockerService::describe_state() {
  auto j = state_->client->container_inspect(id_);
  if (!j) return "removed";
  const auto& s = (*j)["State"];
  if (s.value("Running", false)) return "running";
  return fmt::format("{} (exit code {}{}{})", s.value("Status", "stopped"), s.value("ExitCode", -1),
                     s.value("OOMKilled", false) ? ", OOMKilled" : "",
                     s.value("Error", "").empty() ? "" : ", " + s.value("Error", ""));
}

std::string DockerService::logs(std::size_t tail_bytes) {
  // A tail (readiness errors, failure reports) needs the last lines only;
  // a request for more than 1 MiB (--keep-logs) wants all the engine kept.
  const int lines = tail_bytes > (std::size_t{1} << 20) ? 0 : 5000;
  std::string all = state_->client->container_logs(id_, lines);
  if (all.size() > tail_bytes) all.erase(0, all.size() - tail_bytes);
  return all;
}

ServiceAgent* DockerService::usable_agent(std::unique_lock<std::mutex>& held, const CancelToken& cancel,
                                         std::chrono::steady_clock::time_point deadline) {
  held = std::unique_lock(agent_mutex_, std::try_to_lock);
  if (!held.owns_lock()) return nullptr;  // a concurrent step is using it
  if (agent_start_.valid()) {
    while (agent_start_.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
      // Still starting: this step goes by engine exec rather than miss its end.
      if (cancel.cancelled() || std::chrono::steady_clock::now() >= deadline) return nullptr;
    }
    agent_ = agent_start_.get();
  }
  if (agent_ && agent_->broken()) agent_.reset();  // closes its connection: the exec ends
  return agent_.get();
}

ServiceAgent* DockerService::started_agent(std::unique_lock<std::mutex>& held) {
  const CancelToken never;
  return usable_agent(held, never, std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

std::string DockerService::step_agent_exec_id() {
  std::unique_lock<std::mutex> held;
  ServiceAgent* agent = started_agent(held);
  return agent ? agent->exec_id() : std::string();
}

long DockerService::step_agent_reaper_pid() {
  std::unique_lock<std::mutex> held;
  ServiceAgent* agent = started_agent(held);
  return agent ? agent->reaper_pid() : 0;
}

bool DockerService::step_agent_kept() {
  std::unique_lock<std::mutex> held;
  ServiceAgent* agent = started_agent(held);
  return agent && agent->kept();
}

void DockerService::close_agent() {
  std::lock_guard held(agent_mutex_);
  if (agent_start_.valid()) agent_ = agent_start_.get();
  agent_.reset();
}

ExecResult DockerService::exec(const ProcessSpec& spec, const CancelToken& cancel) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = spec.timeout ? started + *spec.timeout : std::chrono::steady_clock::time_point::max();
  {
    std::unique_lock<std::mutex> held;
    if (ServiceAgent* agent = usable_agent(held, cancel, deadline)) {
      // The time spent waiting for the agent to come up counts.
      ProcessSpec left = spec;
      if (spec.timeout)
        left.timeout = std::max(Duration(1), std::chrono::ceil<Duration>(deadline - std::chrono::steady_clock::now()));
      ExecResult r = agent->run(left, cancel);
      r.usage.wall = std::chrono::steady_clock::now() - started;
      return r;
    }
  }
  return run_exec(
      *state_->client, id_, spec, cancel,
      [this](const std::string& exec_id) {
        // The engine has no "kill exec": kill the exec's process tree from the
        // host (local engines run it as a host process).
        try {
          auto j = state_->client->exec_inspect(exec_id);
          kill_host_process_tree(j.value("Pid", 0L));
        } catch (const Error&) {
        }
      },
      exec_prefix_);
}

void DockerService::stop(Duration grace) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  // Before a warm container is released too: its next user takes the kept
  // agent (only our connection to it ends) or starts its own.
  close_agent();
  if (reuse_lock_) {
    // Warm containers keep running for the next test or run; only our claim ends.
    reuse_lock_.reset();
    return;
  }
  const int secs = grace.count() > 0 ? static_cast<int>((grace.count() + 999) / 1000) : 0;
  if (state_->options.async_teardown && state_->remover) {
    // Off the test's critical path, like the pod's removal: the stop's grace
    // and the removal (~0.3 s on a loaded engine) overlap what follows. The
    // remover runs batches in order, so the pod's own removal, enqueued
    // after this, never kills the service before its grace is over.
    state_->remover->enqueue({id_}, {}, secs);
    return;
  }
  if (secs > 0) state_->client->container_stop(id_, secs);
  state_->client->container_remove(id_, true);
}

}  // namespace clnrm::docker
