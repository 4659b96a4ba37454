#include <clnrm/error.h>

#include <cerrno>
#include <cstring>

namespace clnrm {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Config: return "config";
    case ErrorKind::NotSupported: return "not supported";
    case ErrorKind::Backend: return "backend";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Io: return "io";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  if (context_.empty()) return what();
  return context_ + ": " + what();
}

int Error::exit_code() const noexcept {
  switch (kind_) {
    case ErrorKind::Usage:
    case ErrorKind::Config:
    case ErrorKind::NotSupported:
      return 2;
    case ErrorKind::Cancelled:
      return 130;
    default:
      return 1;
  }
}

void throw_errno(const std::string& what) {
  const int saved = errno;
  throw Error(ErrorKind::Io, what + ": " + std::strerror(saved));
}

}  // namespace clnrm
