#include "spec/source_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm::spec_detail {
namespace {

SourceText failed(std::string why) { return SourceText{{}, "cannot read file: " + why}; }

SourceText failed_errno() { return failed(std::strerror(errno)); }

}  // namespace

SourceText read_source_file(const std::string& path) {
  // stat before open: opening a device or a FIFO can block or have effects.
  // A symbolic link loop fails here with ELOOP, named as such.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return failed_errno();
  if (!S_ISREG(st.st_mode)) return failed("not a regular file");
  // O_NONBLOCK: should the path have become a FIFO since, open returns at once.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return failed_errno();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) return failed_errno();
  if (!S_ISREG(st.st_mode)) return failed("not a regular file");
  // Read to the end instead of trusting st_size: /proc files say 0 and have
  // content, /proc/self/mem says 0 and fails with EIO.
  SourceText result;
  // The size stat gives, when it is in bounds, saves growing the string
  // (copying what it holds) while reading a large file.
  if (st.st_size > 0 && static_cast<std::size_t>(st.st_size) <= kMaxSourceBytes)
    result.text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed_errno();
    if (n == 0) break;
    if (result.text.size() + static_cast<std::size_t>(n) > kMaxSourceBytes)
      return SourceText{{},
                        fmt::format("file is too large (more than {} bytes; the limit is 16 MiB)",
                                    kMaxSourceBytes)};
    result.text.append(buffer, static_cast<std::size_t>(n));
  }
  return result;
}

}  // namespace clnrm::spec_detail
