#pragma once
// The fresh pool: containers made and started between runs, each never used,
// so a later run starts a test on a container that is already running
// instead of waiting ~1 s for the engine's create + start (docs/docker-backend.md,
// "Fresh pool"). Unlike reuse (reuse.h) nothing is shared: an entry is
// claimed by one pod of one run, renamed to that pod's name, and removed with
// the pod like any container the pod made; it never returns to the pool.
//
// An entry is started from exactly the create body the pod would have sent
// (its labels aside), so its key is a hash of that body and the image id:
// image, command, env, security options, limits, network mode, hostname.
// Containers with the test's volumes are never pooled (an idle entry would
// hold a bind of the test's files, and its process could write there
// between runs).
//
// Entries are labelled clnrm.pool=<key> and clnrm.pool-expires=<unix
// seconds> and named clnrm-pool-*; a claimed one carries another name. An
// entry with a kept step agent (kept_agent.h) is named clnrm-filling-* and
// held under its claim lock until the agent is up, so no run claims it
// earlier and a maker killed meanwhile leaves an abandoned claim, which
// reapers remove.
// A claim holds a flock on <lock_dir>/clnrm-pool-<container id>.lock from
// before the rename until the pod is destroyed, so two runners never get the
// same entry and a remover never takes one being claimed or in use.
// The runner's teardown process (remover_process.h) refills the pool for the
// shapes a run used after the run ends, removing expired entries of every
// shape on the way; the start-up reaper of any later run removes expired
// entries too, `clnrm cleanup` every unclaimed one.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/file_lock.h"

namespace clnrm::docker {

class DockerClient;

inline constexpr const char* kLabelPool = "clnrm.pool";                  // the entry's key
inline constexpr const char* kLabelPoolExpires = "clnrm.pool-expires";   // unix seconds
inline constexpr const char* kPoolNamePrefix = "clnrm-pool-";
// Unclaimed entries on one engine after a refill, whatever the shapes: a
// suite whose bodies change every run (a value from the environment) cannot
// fill the engine with entries nobody will claim.
inline constexpr int kPoolMaxEntries = 16;

// The key of a create body (its Labels ignored) for image `image_id`.
std::string pool_key(const nlohmann::json& create_body, const std::string& image_id);

// A shape to refill after the run: the create body (without Labels), the
// role label its entries get (pod | service), how many and for how long.
struct PoolShape {
  std::string key;
  std::string role;
  nlohmann::json body;
  int size = 0;
  std::int64_t ttl_seconds = 0;
  std::string lock_dir;
  std::string session_id;
  // Non-empty: each entry gets a kept step agent behind this prefix
  // (kept_agent.h), started right after the entry.
  std::vector<std::string> agent_prefix;
  nlohmann::json to_json() const;
  static PoolShape from_json(const nlohmann::json& j);
};

struct PoolClaim {
  std::string id;
  std::shared_ptr<FileLock> lock;  // held while the pod uses it
  std::string lock_path;           // unlinked by release_pool_claim
};

// Claims a running, unexpired, unclaimed entry of `key` and renames it to
// `name`; nullopt when there is none (or the engine refuses: the caller
// creates a container as usual).
std::optional<PoolClaim> claim_pool_entry(DockerClient& client, const std::string& lock_dir, const std::string& key,
                                          const std::string& name);
// The pod is done with it: unlinks the lock file, then releases the lock.
void release_pool_claim(PoolClaim& claim);

// Labels of a container the engine lists, as a map.
std::map<std::string, std::string> container_labels(const nlohmann::json& listed);
// A listed container is an unclaimed entry (its name still clnrm-pool-*).
bool unclaimed_pool_entry(const nlohmann::json& listed);
bool pool_entry_expired(const std::map<std::string, std::string>& labels, std::int64_t now);

// Removes `listed` (an entry, claimed or not) unless a runner holds its
// claim lock; true when removed.
bool remove_pool_entry(DockerClient& client, const std::string& lock_dir, const nlohmann::json& listed);

// After a run (the teardown process): removes expired entries of every
// shape, then tops each of `shapes` up to its size (never past
// kPoolMaxEntries unclaimed entries in all). Best effort: errors are dropped.
void refill_pool(DockerClient& client, const std::vector<PoolShape>& shapes);

}  // namespace clnrm::docker
