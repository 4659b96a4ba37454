#pragma once
// Internal to src/image: an exclusive flock(2) on a lock file, so runners
// sharing one image cache never download or unpack the same blob or layer
// twice at once. The kernel drops the lock when the process dies, so a killed
// runner never leaves a lock held.

#include <string>

#include "base/unique_fd.h"

namespace clnrm::image {

class FileLock {
 public:
  // Blocks until `path` (created 0600 when absent) is locked exclusively.
  explicit FileLock(const std::string& path);
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;

 private:
  UniqueFd fd_;
};

}  // namespace clnrm::image
