#include "backend/docker/reuse.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/fnv1a.h"

namespace clnrm::docker {
namespace {

// Two independent 64-bit FNV-1a variants (different offsets and a final
// mix) give a 128-bit digest: enough to make accidental collisions of
// specs irrelevant; this is an identity, not a security boundary.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  h = fnv1a_update(h, s);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::string reuse_hash(const nlohmann::json& spec) {
  // nlohmann::json objects are std::map-backed: dump() is key-sorted, so the
  // text is canonical for a given value.
  const std::string canonical = spec.dump();
  return fmt::format("{:016x}{:016x}", fnv1a(canonical, kFnv1aOffset),
                     fnv1a(canonical, 0x84222325cbf29ce4ull ^ canonical.size()));
}

ReuseLock::ReuseLock(const std::string& lock_dir, const std::string& hash, int slot) {
  ::mkdir(lock_dir.c_str(), 01777);
  const std::string path = fmt::format("{}/clnrm-reuse-{}-{}.lock", lock_dir, hash, slot);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw_errno("open reuse lock " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) return;
    errno = e;
    throw_errno("lock " + path);
  }
  fd_ = fd;
}

ReuseLock& ReuseLock::operator=(ReuseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ReuseLock::~ReuseLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace clnrm::docker
