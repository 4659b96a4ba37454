#pragma once
// An exclusive flock(2) on a lock file, released by the destructor — and by
// the kernel when the process dies, so a SIGKILLed runner never keeps a lock.
// The image store locks a blob or layer while it is fetched or unpacked
// (waiting); the docker backend locks a reuse slot (one try, another slot
// when it is taken). The image store's temp files are locked through the
// descriptor they are written with (lock_open_file), the lock going with it.
// The history inbox takes its file shared for each append and exclusively to
// fold it (lock_open_file_shared, lock_open_file; src/history/inbox.h).

#include <string>
#include <sys/types.h>

#include "base/unique_fd.h"

namespace clnrm {

class FileLock {
 public:
  FileLock() = default;  // holds nothing
  // Blocks until `path` is locked. Throws Error(Io) when it cannot be opened.
  static FileLock wait(const std::string& path, mode_t mode = 0600);
  // One try: held() is false when another process holds it. Throws
  // Error(Io) when the file cannot be opened.
  static FileLock try_lock(const std::string& path, mode_t mode = 0600);
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  bool held() const noexcept { return fd_.valid(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// The same lock on a file the caller has open: held until every descriptor
// of that open file is closed. lock_open_file waits (throws Error(Io) naming
// `what`); try_lock_open_file is one try, false when another holds it or the
// lock fails.
void lock_open_file(int fd, const std::string& what);
bool try_lock_open_file(int fd);
// A shared lock (LOCK_SH) on a file the caller has open: many holders at
// once, none while an exclusive one is held. Waits; throws Error(Io) naming
// `what`.
void lock_open_file_shared(int fd, const std::string& what);

}  // namespace clnrm
