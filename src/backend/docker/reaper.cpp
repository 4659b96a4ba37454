// The reaper: containers whose owning clnrm process is gone are removed at
// backend start and by `clnrm cleanup`. No side-car container is needed: the
// labels say who owns what, /proc says whether the owner still lives.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/owner.h"
#include "backend/docker/reaper.h"

namespace clnrm {
namespace docker {

ReapReport reap_orphans(DockerClient& client, bool all) {
  ReapReport report;
  for (const auto& c : client.container_list({kLabelSession})) {
    std::map<std::string, std::string> labels;
    if (auto it = c.find("Labels"); it != c.end() && it->is_object())
      for (const auto& [k, v] : it->items())
        if (v.is_string()) labels[k] = v.get<std::string>();
    const bool reusable = labels.count(kLabelReuseHash) != 0;
    bool remove = all;
    if (!all) {
      if (reusable) {
        ++report.kept_reuse;
        continue;
      }
      remove = owner_state(labels) == OwnerState::Dead;
      if (!remove) {
        ++report.kept_live;
        continue;
      }
    }
    std::string name = c.value("Id", "").substr(0, 12);
    if (auto n = c.find("Names"); n != c.end() && n->is_array() && !n->empty()) name = (*n)[0].get<std::string>();
    if (!name.empty() && name[0] == '/') name.erase(0, 1);
    try {
      client.container_remove(c.value("Id", ""), true);
      ++report.removed;
      report.removed_names.push_back(name);
    } catch (const Error& e) {
      report.errors.push_back(e.describe());
    }
  }
  return report;
}

}  // namespace docker

ReapReport reap_docker_orphans(const DockerOptions& options, bool all) {
  const std::unique_ptr<docker::DockerClient> connected = docker::connect_engine(
      options.host,
      "Nothing to clean up there. Start one with scripts/start-docker.sh or point DOCKER_HOST / "
      "--docker-host at it");
  return docker::reap_orphans(*connected, all);
}

}  // namespace clnrm
