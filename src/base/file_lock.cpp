// flock(2) locks (file_lock.h).
#include "base/file_lock.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace clnrm {
namespace {

// O_NOFOLLOW: a lock file may live in a shared directory (/tmp), where
// another user could plant a link to a file of ours.
UniqueFd open_lock_file(const std::string& path, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) throw_errno("cannot open the lock file " + path);
  return fd;
}

// Waits for lock `operation` (LOCK_EX or LOCK_SH) on `fd`.
void lock_waiting(int fd, int operation, const std::string& what) {
  while (::flock(fd, operation) != 0)
    if (errno != EINTR) throw_errno("cannot lock " + what);
}

}  // namespace

void lock_open_file(int fd, const std::string& what) { lock_waiting(fd, LOCK_EX, what); }

void lock_open_file_shared(int fd, const std::string& what) { lock_waiting(fd, LOCK_SH, what); }

bool try_lock_open_file(int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; }

FileLock FileLock::wait(const std::string& path, mode_t mode) {
  UniqueFd fd = open_lock_file(path, mode);
  lock_open_file(fd.get(), path);
  return FileLock(std::move(fd));
}

FileLock FileLock::try_lock(const std::string& path, mode_t mode) {
  UniqueFd fd = open_lock_file(path, mode);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(std::move(fd));
  if (errno == EWOULDBLOCK) return FileLock();
  throw_errno("cannot lock " + path);
}

}  // namespace clnrm
