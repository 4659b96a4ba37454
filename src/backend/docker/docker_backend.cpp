// The docker Backend: connects to the engine (negotiating the API version),
// reaps containers of dead clnrm processes, and makes DockerPods.
#include <clnrm/docker.h>
#include <clnrm/backend.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstdlib>
#include <future>

#include "backend/docker/backend_state.h"
#include "backend/docker/docker_pod.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/owner.h"
#include "backend/docker/reaper.h"
#include "backend/docker/remover_process.h"
#include "backend/docker/user_namespace.h"

namespace clnrm {
namespace {

using docker::BackendState;

class DockerBackend final : public Backend {
 public:
  explicit DockerBackend(std::shared_ptr<BackendState> state) : state_(std::move(state)) {}
  ~DockerBackend() override {
    const bool detached = state_->options.detach_teardown && state_->options.async_teardown;
    try {
      const auto unused = state_->standby.shut_down();
      if (!unused.empty()) {
        if (detached) state_->remover->enqueue(unused, {});
        else docker::remove_containers(*state_->client, unused, {});
      }
    } catch (...) {
      // The reaper removes them on the next start.
    }
    // The teardown process finishes the queue and sweeps this process's
    // sessions when its socket closes (remover_process.h): nothing to wait for.
    if (detached) return;
    wait_teardown();
    sweep_leftovers();
  }
  // A removal or a standby start that failed while the engine was down or
  // restarting leaves a container that no queue knows of any more. They all
  // carry this process's labels: one list per session finds them. Warm reuse
  // units are kept by design.
  void sweep_leftovers() noexcept {
    try {
      std::set<std::string> sessions;
      {
        std::lock_guard lock(state_->sessions_mutex);
        sessions = state_->sessions;
      }
      const std::string pid = std::to_string(docker::self_owner().pid);
      std::vector<std::string> ids;
      for (const auto& session : sessions) {
        for (const auto& c : state_->client->container_list(
                 {std::string(docker::kLabelSession) + "=" + session, std::string(docker::kLabelPid) + "=" + pid})) {
          const auto labels = c.value("Labels", nlohmann::json::object());
          if (labels.contains(docker::kLabelReuseHash)) continue;
          ids.push_back(c.value("Id", ""));
        }
      }
      if (!ids.empty()) docker::remove_containers(*state_->client, ids, {});
    } catch (...) {
      // Engine gone for good: the reaper of the next run removes them.
    }
  }
  void wait_teardown() {
    if (state_->remover) state_->remover->drain();
  }
  std::string_view name() const override { return "docker"; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.hermetic = true;
    c.runs_images = true;
    c.resource_limits = true;
    c.network_isolation = true;
    c.keeps_services = true;
    return c;
  }
  std::unique_ptr<Pod> create_pod(const PodSpec& spec) override {
    PodSpec s = spec;
    if (s.session_id.empty()) s.session_id = state_->options.session_id;
    {
      std::lock_guard lock(state_->sessions_mutex);
      if (state_->sessions.insert(s.session_id).second && state_->remover) state_->remover->watch_session(s.session_id);
    }
    return std::make_unique<docker::DockerPod>(state_, std::move(s));
  }

 private:
  std::shared_ptr<BackendState> state_;
};

std::unique_ptr<docker::DockerClient> connect_client(const DockerOptions& options) {
  return docker::connect_engine(options.host,
                                "Start one with scripts/start-docker.sh (or point DOCKER_HOST / "
                                "--docker-host at one), or use --backend sandbox");
}

}  // namespace

DockerOptions docker_options_from_environment() {
  DockerOptions o;
  if (const char* pull = std::getenv("CLNRM_DOCKER_PULL"))
    o.pull_missing = std::string_view(pull) == "1" || std::string_view(pull) == "always";
  if (const char* pause = std::getenv("CLNRM_DOCKER_PAUSE_IMAGE")) o.pause_image = pause;
  if (const char* agent = std::getenv("CLNRM_DOCKER_STEP_AGENT")) o.step_agent = std::string_view(agent) != "0";
  if (const char* standby = std::getenv("CLNRM_DOCKER_STANDBY")) o.standby = std::string_view(standby) != "0";
  return o;
}

std::unique_ptr<Backend> make_docker_backend(DockerOptions options) {
  if (options.session_id.empty()) options.session_id = make_session_id();
  auto state = std::make_shared<BackendState>();
  state->client = connect_client(options);
  state->seccomp_helper = docker::find_seccomp_helper(state->client->endpoint(), options.seccomp_exec);
  state->options = std::move(options);
  // Forked before any thread of the backend exists.
  if (state->options.async_teardown && state->options.detach_teardown)
    state->remover = docker::make_process_remover(*state->client);
  if (!state->remover) state->remover = std::make_unique<docker::ThreadRemover>(*state->client);
  // GET /info is one of the engine's slowest answers (~65 ms on a loaded
  // engine); only a pod's enforced_limits() needs it: asked while the reaper
  // lists and the first pod is made.
  docker::DockerClient* client = state->client.get();
  state->userns_remap = std::async(std::launch::async, [client] { return docker::engine_remaps_root(*client); }).share();
  if (state->options.reap_on_start)
    docker::reap_orphans(*state->client, false, false, state->options.lock_dir, state->remover.get());
  return std::make_unique<DockerBackend>(std::move(state));
}

void docker_wait_teardown(Backend& backend) {
  if (auto* d = dynamic_cast<DockerBackend*>(&backend)) d->wait_teardown();
}

bool docker_engine_available(const DockerOptions& options, std::chrono::milliseconds timeout) {
  return docker::engine_problem(options.host, timeout).empty();
}

}  // namespace clnrm
