// The warm service containers that `reuse = true` keeps between runs, found
// in the engine by their labels (clnrm.reuse-*; src/backend/docker/reuse.h).
// `clnrm services` shows and stops them through this API; the engine's JSON
// stays inside the docker backend.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/owner.h"

namespace clnrm {
namespace {

using nlohmann::json;

std::map<std::string, std::string> labels_of(const json& c) {
  std::map<std::string, std::string> out;
  if (auto it = c.find("Labels"); it != c.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

std::string label(const std::map<std::string, std::string>& labels, const char* key) {
  const auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

// Who holds a kept container: the labels name the runner that created it;
// once that runner exits the container stays warm for the next run that asks
// for the same definition.
std::string owner_of(const std::map<std::string, std::string>& l) {
  using namespace docker;
  const std::string pid = label(l, kLabelPid);
  if (pid.empty()) return "none (warm, free for the next run)";
  const OwnerState state = owner_state(l);
  const std::string host = label(l, kLabelHost);
  const std::string session = label(l, kLabelSession);
  return fmt::format("{} pid {} on {} (session {})",
                     state == OwnerState::Alive  ? "runner"
                     : state == OwnerState::Dead ? "warm; created by exited runner"
                                                 : "runner (state unknown)",
                     pid, host.empty() ? "?" : host, session.empty() ? "?" : session);
}

}  // namespace

struct KeptServices::Engine {
  std::unique_ptr<docker::DockerClient> client;
};

KeptServices::KeptServices(std::string_view docker_host)
    : engine_(std::make_unique<Engine>(Engine{docker::connect_engine(
          docker_host, "Start one with scripts/start-docker.sh or point DOCKER_HOST / --docker-host at it")})) {}

KeptServices::~KeptServices() = default;

std::string KeptServices::engine_description() const { return engine_->client->endpoint().describe(); }

std::vector<KeptService> KeptServices::list(const std::string& name, int log_lines) {
  using namespace docker;
  auto& client = *engine_->client;
  const long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<KeptService> out;
  for (const json& c : client.container_list({kLabelReuseHash, std::string(kLabelRole) + "=service"})) {
    const auto l = labels_of(c);
    const std::string id = c.value("Id", "");
    // By the service's name, its reuse name "test/service", or a container id prefix.
    if (!name.empty() && label(l, kLabelService) != name && label(l, kLabelReuseName) != name &&
        id.rfind(name, 0) != 0)
      continue;
    KeptService s;
    s.service = label(l, kLabelService);
    s.reuse_name = label(l, kLabelReuseName);
    s.image = c.value("Image", "");
    s.container_id = id.substr(0, 12);
    s.state = c.value("State", "");
    s.status = c.value("Status", "");
    const long long created = c.value("Created", 0LL);
    s.age_seconds = created > 0 ? now - created : 0;
    s.owner = owner_of(l);
    s.reuse_hash = label(l, kLabelReuseHash);
    if (log_lines > 0) {
      try {
        s.logs = client.container_logs(id, log_lines);
      } catch (const Error& e) {
        s.logs = fmt::format("(logs unavailable: {})", e.what());
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<RemovedContainer> KeptServices::stop(const std::vector<KeptService>& services) {
  using namespace docker;
  auto& client = *engine_->client;
  std::vector<RemovedContainer> removed;
  for (const KeptService& s : services) {
    // The service and the pod anchor kept with it share the reuse hash.
    for (const json& unit : client.container_list({std::string(kLabelReuseHash) + "=" + s.reuse_hash})) {
      const std::string id = unit.value("Id", "");
      client.container_remove(id, true);
      const auto l = labels_of(unit);
      removed.push_back({id.substr(0, 12), label(l, kLabelRole), label(l, kLabelReuseName)});
    }
  }
  return removed;
}

}  // namespace clnrm
