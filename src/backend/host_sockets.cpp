// The unix sockets under a host directory: both backends cover each with
// /dev/null where they share a host directory with a pod, so a test cannot
// reach a host daemon through a shared tree (docs/security.md, "Host paths").
#include "backend/host_sockets.h"

#include <clnrm/error.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <deque>
#include <utility>
#include <vector>

#include "backend/socket_walk_memo.h"
#include "base/unique_fd.h"

namespace clnrm {
namespace {

DirStamp stamp_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, static_cast<std::int64_t>(st.st_ctim.tv_sec),
          static_cast<std::int64_t>(st.st_ctim.tv_nsec)};
}

std::string join(const std::string& dir, std::string_view name) {
  std::string path = dir;
  if (path.empty() || path.back() != '/') path += '/';
  path += name;
  return path;
}

// Lists one directory (`follow`: the walk's root may be a symbolic link;
// nothing below it is followed). false when it cannot be opened: unreadable
// or gone, nothing the runner could list.
bool read_directory(const std::string& path, bool follow, DirListing& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
  if (!fd.valid()) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return false;
  out.stamp = stamp_of(st);  // of the directory read, taken before reading it
  alignas(dirent64) char buf[16384];
  for (;;) {
    const ssize_t n = ::getdents64(fd.get(), buf, sizeof buf);
    if (n <= 0) break;  // the end, or an error: what was read stands
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + off);
      off += e->d_reclen;
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      ++out.entries;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat est {};
        if (::fstatat(fd.get(), e->d_name, &est, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISSOCK(est.st_mode) ? DT_SOCK : S_ISDIR(est.st_mode) ? DT_DIR : DT_REG;
      }
      if (type == DT_SOCK) out.sockets.emplace_back(name);
      if (type == DT_DIR) out.subdirs.emplace_back(name);
    }
  }
  return true;
}

// The memo's record of `path` when it is still what the directory holds.
const DirListing* unchanged(const SocketWalkMemo& memo, const std::string& path, const std::string& relative) {
  struct stat st {};
  const int rc = relative.empty() ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0 || !S_ISDIR(st.st_mode)) return nullptr;
  return memo.trusted(relative, stamp_of(st));
}

}  // namespace

SocketWalk walk_for_unix_sockets(const std::string& dir, const std::string& memo_file, std::size_t max_entries) {
  timespec started {};
  ::clock_gettime(CLOCK_REALTIME, &started);
  const bool memoised = !memo_file.empty();
  const SocketWalkMemo memo = memoised ? SocketWalkMemo::load(memo_file, dir) : SocketWalkMemo{};
  // Every directory of the walk, for the memo: its record when reused (not
  // copied: most runs reuse all), else what was read, kept in `read`
  // (pointers into a deque stay valid as it grows).
  std::vector<std::pair<std::string, const DirListing*>> walked;
  std::deque<DirListing> read;
  SocketWalk out;
  std::size_t entries = 0;
  std::vector<std::string> pending = {""};  // relative to `dir`
  while (!pending.empty()) {
    std::string relative = std::move(pending.back());
    pending.pop_back();
    const std::string path = relative.empty() ? dir : join(dir, relative);
    const DirListing* listing = memoised ? unchanged(memo, path, relative) : nullptr;
    if (listing != nullptr) {
      ++out.dirs_reused;
    } else if (DirListing fresh; read_directory(path, relative.empty(), fresh)) {
      // Kept only for the memo; without one the last listing suffices.
      if (!memoised) read.clear();
      listing = &read.emplace_back(std::move(fresh));
      ++out.dirs_read;
    } else {
      continue;
    }
    entries += listing->entries;
    if (entries > max_entries) {
      throw Error(ErrorKind::Config,
                  "more than " + std::to_string(max_entries) +
                      " entries below it: too large to share with a cleanroom (its unix sockets "
                      "are looked for)",
                  dir);
    }
    for (const std::string& socket : listing->sockets) out.sockets.push_back(join(path, socket));
    for (const std::string& sub : listing->subdirs) pending.push_back(relative.empty() ? sub : join(relative, sub));
    if (memoised) walked.emplace_back(std::move(relative), listing);
  }
  if (memoised) memo.save(memo_file, dir, started, walked, out.dirs_read > 0);
  return out;
}

}  // namespace clnrm
