#include "base/atomic_file.h"
#include "base/open_beneath.h"
#include "base/unique_fd.h"
#include "base/write_all.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace clnrm {
namespace {

// Writes everything and closes; errno is set on failure.
bool write_and_close(UniqueFd& fd, std::string_view content) {
  return write_all(fd.get(), content.data(), content.size()) && fd.close() == 0;
}

[[noreturn]] void refuse(const std::string& where, const std::string& why) {
  throw Error(ErrorKind::Io,
              "refusing to write a report path from a test file: " + why +
                  " (such paths stay inside the output directory and never follow a symbolic link)",
              where);
}

bool is_symlink_at(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

// The directory components of `relative` ("." and empty ones dropped), then the file name.
std::vector<std::string> components(std::string_view relative) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    const std::string_view part = relative.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = slash + 1;
  }
  return parts;
}

// The descriptor a path names by convention (/dev/stdout, /dev/stderr,
// /dev/fd/N, /proc/self/fd/N), or -1. Such a path is written through that
// descriptor: reopening it would start at offset 0 of a redirected file, and
// a rename over it would replace the link (as root, for every process).
int descriptor_alias(const std::string& path) {
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = 0;
    for (std::size_t i = prefix.size(); i < path.size(); ++i) {
      if (path[i] < '0' || path[i] > '9' || fd > 100000) return -1;
      fd = fd * 10 + (path[i] - '0');
    }
    return fd;
  }
  return -1;
}

// Something other than a regular file (a device, a FIFO), or a symbolic link:
// written in place, never replaced by a rename.
bool written_in_place(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return false;
  if (S_ISLNK(st.st_mode)) return true;
  return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

}  // namespace

std::optional<std::string> why_not_writable(const std::string& path) {
  if (path.empty()) return "the path is empty";
  if (const int fd = descriptor_alias(path); fd >= 0) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) return fmt::format("{}: descriptor {} is not open", path, fd);
    if ((flags & O_ACCMODE) == O_RDONLY) return fmt::format("{}: descriptor {} is read-only", path, fd);
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return fmt::format("{} is a directory", path);
  if (written_in_place(path)) {
    if (::access(path.c_str(), W_OK) != 0)
      return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  // A new file is created next to it and renamed over it: the directory must
  // exist (it is created) and be writable.
  std::string dir = ".";
  if (const auto slash = path.rfind('/'); slash != std::string::npos)
    dir = slash == 0 ? "/" : path.substr(0, slash);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string probe = dir + "/.clnrm-write-check." + std::to_string(::getpid());
  UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    const int saved = errno;
    if (ec) return fmt::format("cannot write {}: cannot create directory {}: {}", path, dir, ec.message());
    return fmt::format("cannot write {}: cannot create files in {}: {}", path, dir, std::strerror(saved));
  }
  fd.close();
  ::unlink(probe.c_str());
  return std::nullopt;
}

void write_file_atomically(const std::string& path, std::string_view content) {
  if (const int alias = descriptor_alias(path); alias >= 0) {
    if (!write_all(alias, content.data(), content.size())) throw_errno("cannot write " + path);
    return;
  }
  if (written_in_place(path)) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd.valid()) throw_errno("cannot open " + path);
    if (!write_and_close(fd, content)) throw_errno("cannot write " + path);
    return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) throw_errno("cannot create " + path);
  if (!write_and_close(fd, content)) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno("cannot write " + path);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno("cannot rename " + tmp + " to " + path);
  }
}

void write_new_file_atomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) throw_errno("cannot create " + path);
  const bool written = write_and_close(fd, content);
  // link() makes the complete file appear under `path` and fails when
  // something is there already: no check-then-rename window.
  const int saved = errno;
  const int linked = written ? ::link(tmp.c_str(), path.c_str()) : -1;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) {
    errno = saved;
    throw_errno("cannot write " + path);
  }
  if (linked != 0) {
    if (link_errno == EEXIST) throw Error(ErrorKind::Io, "exists; refusing to overwrite it", path);
    errno = link_errno;
    throw_errno("cannot write " + path);
  }
}

bool is_same_or_below(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

std::optional<std::string> why_not_beneath(std::string_view relative) {
  if (relative.empty()) return "is empty";
  for (char c : relative)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  if (relative.front() == '/') return "is absolute";
  std::size_t start = 0;
  std::string_view last;
  while (start <= relative.size()) {
    std::size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    last = relative.substr(start, slash - start);
    if (last == "..") return "has a '..' component";
    start = slash + 1;
  }
  if (last.empty() || last == ".") return "names no file (it ends in '/' or '.')";
  return std::nullopt;
}

void write_file_atomically_beneath(const std::string& dir, std::string_view relative,
                                   std::string_view content) {
  const std::string where = dir + "/" + std::string(relative);
  if (auto why = why_not_beneath(relative)) refuse(where, "the path " + *why);
  const std::vector<std::string> parts = components(relative);

  UniqueFd top(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!top.valid()) throw_errno("cannot open the output directory " + dir);
  BeneathWalkFailure at;
  UniqueFd current = open_dir_beneath(top.get(), std::span(parts).first(parts.size() - 1), /*create=*/true, &at);
  if (!current.valid()) {
    const int saved = errno;
    std::string walked;
    for (std::size_t k = 0; k <= at.component; ++k) walked += (k ? "/" : "") + parts[k];
    errno = saved;
    if (at.making) throw_errno("cannot create directory " + dir + "/" + walked);
    if (errno == ELOOP) refuse(where, "'" + walked + "' is a symbolic link");
    throw_errno("cannot open directory " + dir + "/" + walked);
  }

  const std::string& name = parts.back();
  // rename() would replace a link rather than write through it; refusing
  // says clearly that something planted it.
  if (is_symlink_at(current.get(), name))
    refuse(where, "'" + std::string(relative) + "' is a symbolic link");
  const std::string tmp = "." + name + ".tmp." + std::to_string(::getpid());
  constexpr int kCreate = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd out(::openat(current.get(), tmp.c_str(), kCreate, 0644));
  if (!out.valid() && errno == EEXIST) {  // left by a killed run with our pid
    ::unlinkat(current.get(), tmp.c_str(), 0);
    out = UniqueFd(::openat(current.get(), tmp.c_str(), kCreate, 0644));
  }
  if (!out.valid()) throw_errno("cannot create " + where);
  if (!write_and_close(out, content)) {
    const int saved = errno;
    ::unlinkat(current.get(), tmp.c_str(), 0);
    errno = saved;
    throw_errno("cannot write " + where);
  }
  if (::renameat(current.get(), tmp.c_str(), current.get(), name.c_str()) != 0) {
    const int saved = errno;
    ::unlinkat(current.get(), tmp.c_str(), 0);
    errno = saved;
    throw_errno("cannot write " + where);
  }
}

}  // namespace clnrm
