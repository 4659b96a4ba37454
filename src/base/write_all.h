#pragma once
// Writing a whole buffer to a descriptor, through short writes and EINTR:
// the one such loop of the project. Async-signal-safe (signal handlers and
// children between clone and exec use it): no allocation, no lock.

#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace clnrm {

// true when everything was written; false on an error (errno says which) or
// a write that wrote nothing.
inline bool write_all(int fd, const void* data, std::size_t size) noexcept {
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace clnrm
