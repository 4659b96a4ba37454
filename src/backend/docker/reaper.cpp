// The reaper: containers whose owning clnrm process is gone are removed at
// backend start and by `clnrm cleanup`. No side-car container is needed: the
// labels say who owns what, /proc says whether the owner still lives.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <ctime>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/fresh_pool.h"
#include "backend/docker/owner.h"
#include "backend/docker/reaper.h"
#include "backend/docker/remover.h"

namespace clnrm {
namespace docker {

namespace {

std::string display_name(const nlohmann::json& c) {
  std::string name = c.value("Id", "").substr(0, 12);
  if (auto n = c.find("Names"); n != c.end() && n->is_array() && !n->empty()) name = (*n)[0].get<std::string>();
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name;
}

}  // namespace

ReapReport reap_orphans(DockerClient& client, bool all, bool pool, const std::string& lock_dir, Remover* later) {
  ReapReport report;
  std::vector<std::string> handed_over;
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& c : client.container_list({kLabelSession})) {
    const std::map<std::string, std::string> labels = container_labels(c);
    if (labels.count(kLabelPool) != 0) {
      // A fresh pool entry outlives its maker by design: kept until it
      // expires; a claimed one as long as its runner holds the claim.
      const bool unclaimed = unclaimed_pool_entry(c);
      const std::string state = c.value("State", "");
      // Claimed: removed once no runner holds the claim (remove_pool_entry
      // locks it). Unclaimed: when expired, dead (an engine restart stops
      // it), or asked for (cleanup).
      const bool due = all || !unclaimed || pool || pool_entry_expired(labels, now) ||
                       (state != "running" && state != "created");
      bool removed = false;
      try {
        if (all) {
          client.container_remove(c.value("Id", ""), true);
          removed = true;
        } else if (due) {
          removed = remove_pool_entry(client, lock_dir, c);
        }
      } catch (const Error& e) {
        report.errors.push_back(e.describe());
        continue;
      }
      if (!removed) {
        ++(unclaimed ? report.kept_pool : report.kept_live);
        continue;
      }
      ++report.removed;
      ++report.removed_pool;
      report.removed_names.push_back(display_name(c));
      continue;
    }
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
    const std::string name = display_name(c);
    if (later) {
      handed_over.push_back(c.value("Id", ""));
      ++report.removed;
      report.removed_names.push_back(name);
      continue;
    }
    try {
      client.container_remove(c.value("Id", ""), true);
      ++report.removed;
      report.removed_names.push_back(name);
    } catch (const Error& e) {
      report.errors.push_back(e.describe());
    }
  }
  if (!handed_over.empty()) later->enqueue(std::move(handed_over), "");
  return report;
}

}  // namespace docker

ReapReport reap_docker_orphans(const DockerOptions& options, bool all, bool pool) {
  const std::unique_ptr<docker::DockerClient> connected = docker::connect_engine(
      options.host,
      "Nothing to clean up there. Start one with scripts/start-docker.sh or point DOCKER_HOST / "
      "--docker-host at it");
  return docker::reap_orphans(*connected, all, pool, options.lock_dir);
}

}  // namespace clnrm
