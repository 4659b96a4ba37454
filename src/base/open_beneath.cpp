// Opening below a directory without leaving it (open_beneath.h).
#include "base/open_beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm {
namespace {

bool is_symlink_at(int dir, const char* name) noexcept {
  struct stat st {};
  return ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

// Closes `fd` unless it is the caller's directory, keeping errno.
void drop(int fd, int dirfd) noexcept {
  if (fd == dirfd || fd < 0) return;
  const int saved = errno;
  ::close(fd);
  errno = saved;
}

bool escapes(const std::string& part) noexcept {
  return part.empty() || part == "." || part == ".." || part.find('/') != std::string::npos;
}

}  // namespace

int open_beneath_walk(int dirfd, const char* relative, int flags, mode_t mode) noexcept {
  char path[4096];
  const std::size_t length = std::strlen(relative);
  if (length == 0) return errno = ENOENT, -1;
  if (length >= sizeof path) return errno = ENAMETOOLONG, -1;
  if (relative[0] == '/') return errno = EXDEV, -1;
  std::memcpy(path, relative, length + 1);
  // A trailing '/' asks for a directory, as it does for openat.
  const bool trailing_slash = path[length - 1] == '/';
  for (std::size_t i = 0; i < length; ++i)
    if (path[i] == '/') path[i] = '\0';
  // The start of the first component at or after `from` that is not empty
  // or ".", else `length`.
  auto next_part = [&](std::size_t from) noexcept {
    while (from < length) {
      const std::size_t n = std::strlen(path + from);
      if (n != 0 && !(n == 1 && path[from] == '.')) return from;
      from += n + 1;
    }
    return length;
  };
  std::size_t at = next_part(0);
  if (at == length) return ::openat(dirfd, ".", flags, mode);  // "." or "./"
  int current = dirfd;
  for (;;) {
    const char* part = path + at;
    const std::size_t after = next_part(at + std::strlen(part) + 1);
    const bool last = after >= length;
    if (std::strcmp(part, "..") == 0) {
      drop(current, dirfd);
      return errno = EXDEV, -1;
    }
    int fd;
    if (!last) {
      fd = ::openat(current, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else {
      fd = ::openat(current, part, flags | O_NOFOLLOW | (trailing_slash ? O_DIRECTORY : 0), mode);
      if (fd >= 0 && (flags & O_PATH)) {  // O_PATH | O_NOFOLLOW opens a link itself
        struct stat st {};
        if (::fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
          ::close(fd);
          fd = -1;
          errno = ELOOP;
        }
      }
    }
    if (fd < 0 && errno == ENOTDIR && is_symlink_at(current, part)) errno = ELOOP;
    drop(current, dirfd);
    if (fd < 0 || last) return fd;
    current = fd;
    at = after;
  }
}

int open_beneath_fd(int dirfd, const char* relative, int flags, BeneathRule rule, mode_t mode) noexcept {
  open_how how{};
  how.flags = static_cast<__u64>(flags);
  // openat2 refuses a mode without O_CREAT or O_TMPFILE.
  how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0;
  how.resolve = rule == BeneathRule::InRoot ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV
                                            : RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  // EAGAIN: a ".." was resolved while a rename or a mount happened anywhere
  // on the machine (another pod's setup, a cgroup directory renamed), and
  // the kernel could not tell it stayed inside; it asks the caller to try
  // again (openat2(2)).
  int fd = -1;
  for (int attempt = 0; attempt < 256; ++attempt) {
    fd = static_cast<int>(::syscall(SYS_openat2, dirfd, relative, &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN) break;
  }
  if (fd < 0 && errno == ENOSYS && rule == BeneathRule::NoSymlinks)
    return open_beneath_walk(dirfd, relative, flags, mode);
  return fd;
}

UniqueFd open_beneath(int dirfd, const std::string& relative, int flags, BeneathRule rule) {
  return UniqueFd(open_beneath_fd(dirfd, relative.c_str(), flags, rule));
}

UniqueFd open_dir_beneath(int dirfd, std::span<const std::string> parts, bool create, BeneathWalkFailure* failure) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd dir(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!dir.valid()) {
    if (failure) *failure = {0, false};
    return dir;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    bool making = false;
    int fd = -1;
    if (escapes(parts[i])) {
      errno = EXDEV;
    } else {
      fd = ::openat(dir.get(), name, kFlags);
      if (fd < 0 && errno == ENOENT && create) {
        if (::mkdirat(dir.get(), name, 0755) != 0 && errno != EEXIST) {
          making = true;
        } else {
          fd = ::openat(dir.get(), name, kFlags);
        }
      }
      if (fd < 0 && !making && (errno == ENOTDIR || errno == ELOOP))
        errno = is_symlink_at(dir.get(), name) ? ELOOP : ENOTDIR;
    }
    if (fd < 0) {
      if (failure) *failure = {i, making};
      const int saved = errno;
      dir.reset();
      errno = saved;
      return dir;
    }
    dir.reset(fd);
  }
  return dir;
}

}  // namespace clnrm
