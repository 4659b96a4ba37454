#include "backend/docker/fresh_pool.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>

#include "backend/docker/docker_client.h"
#include "backend/docker/kept_agent.h"
#include "backend/docker/owner.h"
#include "backend/docker/reuse.h"

namespace clnrm::docker {
namespace {

std::string lock_file_name(const std::string& id) { return "clnrm-pool-" + id + ".lock"; }

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string listed_name(const nlohmann::json& listed) {
  std::string name;
  if (auto n = listed.find("Names"); n != listed.end() && n->is_array() && !n->empty() && (*n)[0].is_string())
    name = (*n)[0].get<std::string>();
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name;
}

bool pool_name(const std::string& name) { return name.rfind(kPoolNamePrefix, 0) == 0; }

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

// Creates and starts one entry of `shape`; best effort (the next run creates
// the container itself when there is none).
void make_entry(DockerClient& client, const PoolShape& shape) {
  nlohmann::json body = shape.body;
  std::map<std::string, std::string> labels = owner_labels(shape.session_id);
  labels[kLabelRole] = shape.role;
  labels[kLabelTest] = "(pool)";
  labels[kLabelPool] = shape.key;
  labels[kLabelPoolExpires] = std::to_string(now_seconds() + shape.ttl_seconds);
  body["Labels"] = labels;
  std::string id;
  const bool kept_agent = !shape.agent_prefix.empty() && !shape.lock_dir.empty() && kept_agents_usable(client);
  // With a kept agent the entry joins the pool (takes its clnrm-pool-* name)
  // only once the agent is up, so a run never claims it before; until then
  // it is held as a claim (a remover skips it; killed meanwhile, the lock is
  // gone and the next reaper removes it as an abandoned claim).
  const std::string pool_name = fmt::format("{}{}-{}", kPoolNamePrefix, shape.key.substr(0, 12), random_suffix());
  PoolClaim making;
  try {
    id = client.container_create(body, kept_agent ? "clnrm-filling-" + pool_name.substr(std::strlen(kPoolNamePrefix))
                                                  : pool_name);
    if (kept_agent) {
      making.id = id;
      making.lock_path = shape.lock_dir + "/" + lock_file_name(id);
      making.lock = std::make_shared<FileLock>(lock_dir_try_lock(shape.lock_dir, lock_file_name(id)));
    }
    client.container_start(id);
  } catch (const std::exception&) {
    release_pool_claim(making);
    try {
      if (!id.empty()) client.container_remove(id, true);
    } catch (const std::exception&) {
      // Expired, it goes with the next refill or reaper.
    }
    return;
  }
  // A run reaches it with no exec of its own.
  if (!kept_agent) return;
  try {
    // The entry's command starts the agent beside the service (kept_agent.h)
    // when the run that shaped it could use one; else a detached exec.
    if (!wait_beside_agent_ready(client, id, shape.agent_prefix, std::chrono::seconds(2)))
      wait_kept_agent_ready(client, start_kept_agent(client, id, shape.agent_prefix), std::chrono::seconds(2));
  } catch (const std::exception&) {
    // The claiming run starts an agent of its own.
  }
  try {
    client.container_rename(id, pool_name);
  } catch (const std::exception&) {
    // Not in the pool: the next reaper removes it once the claim is released.
  }
  release_pool_claim(making);
}

}  // namespace

std::string pool_key(const nlohmann::json& create_body, const std::string& image_id) {
  nlohmann::json identity = create_body;
  identity.erase("Labels");
  return reuse_hash({{"pool", 1}, {"body", identity}, {"image_id", image_id}});
}

nlohmann::json PoolShape::to_json() const {
  return {{"key", key},          {"role", role},         {"body", body},
          {"size", size},        {"ttl", ttl_seconds},   {"lock_dir", lock_dir},
          {"session", session_id}, {"agent", agent_prefix}};
}

PoolShape PoolShape::from_json(const nlohmann::json& j) {
  PoolShape s;
  s.key = j.value("key", "");
  s.role = j.value("role", "");
  s.body = j.value("body", nlohmann::json::object());
  s.size = j.value("size", 0);
  s.ttl_seconds = j.value("ttl", std::int64_t{0});
  s.lock_dir = j.value("lock_dir", "");
  s.session_id = j.value("session", "");
  s.agent_prefix = j.value("agent", std::vector<std::string>{});
  return s;
}

std::map<std::string, std::string> container_labels(const nlohmann::json& listed) {
  std::map<std::string, std::string> labels;
  if (auto it = listed.find("Labels"); it != listed.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_string()) labels[k] = v.get<std::string>();
  return labels;
}

bool unclaimed_pool_entry(const nlohmann::json& listed) { return pool_name(listed_name(listed)); }

bool pool_entry_expired(const std::map<std::string, std::string>& labels, std::int64_t now) {
  auto it = labels.find(kLabelPoolExpires);
  if (it == labels.end()) return true;  // not one of ours as we make them: not kept
  std::int64_t expires = 0;
  const auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), expires);
  return ec != std::errc() || now >= expires;
}

std::optional<PoolClaim> claim_pool_entry(DockerClient& client, const std::string& lock_dir, const std::string& key,
                                          const std::string& name) {
  const std::int64_t now = now_seconds();
  for (const auto& listed : client.container_list({std::string(kLabelPool) + "=" + key})) {
    if (!unclaimed_pool_entry(listed) || listed.value("State", "") != "running") continue;
    if (pool_entry_expired(container_labels(listed), now)) continue;
    const std::string id = listed.value("Id", "");
    auto lock = std::make_shared<FileLock>(lock_dir_try_lock(lock_dir, lock_file_name(id)));
    if (!lock->held()) continue;  // another runner is claiming it, or a remover removing it
    // Under the lock, asked again: the list may be older than a claim that
    // has ended since (its lock file unlinked, so ours is a new one).
    const auto now_state = client.container_inspect(id);
    if (!now_state || (*now_state).value("Name", "").rfind(std::string("/") + kPoolNamePrefix, 0) != 0 ||
        !(*now_state)["State"].value("Running", false))
      continue;
    if (!client.container_rename(id, name)) continue;
    return PoolClaim{id, std::move(lock), lock_dir + "/" + lock_file_name(id)};
  }
  return std::nullopt;
}

void release_pool_claim(PoolClaim& claim) {
  if (!claim.lock || !claim.lock->held()) return;
  ::unlink(claim.lock_path.c_str());
  claim.lock.reset();
}

bool remove_pool_entry(DockerClient& client, const std::string& lock_dir, const nlohmann::json& listed) {
  const std::string id = listed.value("Id", "");
  if (id.empty()) return false;
  FileLock lock = lock_dir_try_lock(lock_dir, lock_file_name(id));
  if (!lock.held()) return false;  // claimed (in use) right now
  client.container_remove(id, true);
  ::unlink((lock_dir + "/" + lock_file_name(id)).c_str());
  return true;
}

void refill_pool(DockerClient& client, const std::vector<PoolShape>& shapes) {
  if (shapes.empty()) return;
  std::map<std::string, int> have;
  int total = 0;
  try {
    const std::int64_t now = now_seconds();
    for (const auto& listed : client.container_list({kLabelPool})) {
      if (!unclaimed_pool_entry(listed)) continue;
      const std::string state = listed.value("State", "");
      // "created": another teardown process is starting it now.
      if (pool_entry_expired(container_labels(listed), now) || (state != "running" && state != "created")) {
        try {
          remove_pool_entry(client, shapes.front().lock_dir, listed);
        } catch (const std::exception&) {
        }
        continue;
      }
      ++have[container_labels(listed)[kLabelPool]];
      ++total;
    }
  } catch (const std::exception&) {
    return;  // engine gone
  }
  std::vector<std::thread> makers;
  for (const PoolShape& shape : shapes) {
    for (int n = have[shape.key]; n < shape.size && total < kPoolMaxEntries; ++n, ++total)
      makers.emplace_back([&client, &shape] { make_entry(client, shape); });
  }
  for (auto& t : makers) t.join();
}

}  // namespace clnrm::docker
