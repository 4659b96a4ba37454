#include "backend/docker/docker_service.h"

#include <clnrm/error.h>
#include <fmt/format.h>

namespace clnrm::docker {

DockerService::DockerService(std::shared_ptr<BackendState> state, std::string container_id, std::string name,
                             std::shared_ptr<FileLock> reuse_lock, bool adopted, std::vector<std::string> exec_prefix)
    : state_(std::move(state)),
      id_(std::move(container_id)),
      name_(std::move(name)),
      reuse_lock_(std::move(reuse_lock)),
      adopted_(adopted),
      exec_prefix_(std::move(exec_prefix)) {}

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

ExecResult DockerService::exec(const ProcessSpec& spec, const CancelToken& cancel) {
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
