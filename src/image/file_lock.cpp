// An exclusive flock per blob or layer (file_lock.h).
#include "image/file_lock.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace clnrm::image {

FileLock::FileLock(const std::string& path)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
  if (!fd_.valid()) throw_errno("cannot open the image cache lock " + path);
  while (::flock(fd_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw_errno("cannot lock " + path);
  }
}

}  // namespace clnrm::image
