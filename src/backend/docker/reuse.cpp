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

FileLock reuse_lock(const std::string& lock_dir, const std::string& hash, int slot) {
  return lock_dir_try_lock(lock_dir, fmt::format("clnrm-reuse-{}-{}.lock", hash, slot));
}

FileLock lock_dir_try_lock(const std::string& lock_dir, const std::string& file_name) {
  ::mkdir(lock_dir.c_str(), 01777);
  return FileLock::try_lock(lock_dir + "/" + file_name, 0666);
}

}  // namespace clnrm::docker
