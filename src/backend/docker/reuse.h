#pragma once
// Reuse of warm service containers across tests and runs. A container is
// found by the hash of its canonical create spec (label clnrm.reuse-hash)
// and a slot number; a flock on <lock_dir>/clnrm-reuse-<hash>-<slot>.lock,
// held while a runner uses the container, keeps two runners from adopting
// the same one (the second takes the next slot, i.e. its own container).

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/file_lock.h"

namespace clnrm::docker {

// Hex digest (32 chars) of the canonical form of `spec`: keys sorted,
// credentials never included (the caller passes only image, cmd, env,
// workdir, mounts, limits, security and network). Independent of key order.
std::string reuse_hash(const nlohmann::json& spec);

// The lock of reuse slot `slot` of a spec hash, one try (FileLock::try_lock;
// held() is false when another runner holds it). The directory is made
// world-writable and sticky, like /tmp, so runners of several users share it.
// Throws Error(Io) when the lock file cannot be created.
FileLock reuse_lock(const std::string& lock_dir, const std::string& hash, int slot);
// <lock_dir>/<file_name>, one try, the directory made as above: the one way
// reuse slots and fresh pool claims (fresh_pool.h) lock.
FileLock lock_dir_try_lock(const std::string& lock_dir, const std::string& file_name);

}  // namespace clnrm::docker
