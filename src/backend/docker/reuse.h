#pragma once
// Reuse of warm service containers across tests and runs. A container is
// found by the hash of its canonical create spec (label clnrm.reuse-hash)
// and a slot number; a flock on <lock_dir>/clnrm-reuse-<hash>-<slot>.lock,
// held while a runner uses the container, keeps two runners from adopting
// the same one (the second takes the next slot, i.e. its own container).

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace clnrm::docker {

// Hex digest (32 chars) of the canonical form of `spec`: keys sorted,
// credentials never included (the caller passes only image, cmd, env,
// workdir, mounts, limits, security and network). Independent of key order.
std::string reuse_hash(const nlohmann::json& spec);

// An exclusive, non-blocking flock, released by the destructor (and by the
// kernel if the process dies, so a SIGKILLed runner never keeps a lock).
class ReuseLock {
 public:
  ReuseLock() = default;
  // Tries once; held() tells whether it succeeded. Throws Error(Io) when the
  // lock file cannot be created.
  ReuseLock(const std::string& lock_dir, const std::string& hash, int slot);
  ReuseLock(ReuseLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ReuseLock& operator=(ReuseLock&& other) noexcept;
  ReuseLock(const ReuseLock&) = delete;
  ReuseLock& operator=(const ReuseLock&) = delete;
  ~ReuseLock();
  bool held() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace clnrm::docker
