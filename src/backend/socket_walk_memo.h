#pragma once
// What a walk for unix sockets (host_sockets.h) saw in each directory, kept
// in a file between runs, so the next runner re-reads only the directories
// that changed: a directory whose (device, inode, ctime) are still those of
// the record holds the same names (creating, removing or renaming an entry,
// or changing the directory's mode, sets its ctime, which no user can set
// back). Reading /etc and /opt costs ~1.7 ms per run; checking their 177
// directories' stamps ~0.25 ms (docs/SANDBOX.md, "The socket walk").

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clnrm {

struct DirStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  std::int64_t ctime_sec = 0;
  std::int64_t ctime_nsec = 0;
  friend bool operator==(const DirStamp&, const DirStamp&) = default;
};

// One directory as a walk read it: its stamp when it was read, how many
// entries it had, and the names of its sockets and subdirectories.
struct DirListing {
  DirStamp stamp;
  std::size_t entries = 0;
  std::vector<std::string> sockets;
  std::vector<std::string> subdirs;
};

class SocketWalkMemo {
 public:
  // A directory changed within this long before a walk may change again
  // within the same tick of the filesystem's clock without moving its ctime:
  // such a record is not trusted; the directory is read again.
  static constexpr std::int64_t kSettleSeconds = 3;

  // The memo kept at `file` for the walk of `root` (an empty memo when the
  // file is missing, unreadable, damaged, for another root, or not the
  // runner's own: owned by another user or writable by others). Only a root
  // on a local filesystem is memoised (a network filesystem's ctimes come
  // from another clock), and only directories on the root's device.
  static SocketWalkMemo load(const std::string& file, const std::string& root);

  // The listing recorded for `relative` (below the root; "" is the root
  // itself) when `now` is still the directory it describes and it had
  // settled when it was recorded; nullptr otherwise.
  const DirListing* trusted(const std::string& relative, const DirStamp& now) const;

  // Writes the records of a walk that started at `started` (CLOCK_REALTIME)
  // to `file` when the walk read any directory or left any record unused.
  // A cache: a file that cannot be written is left as it was.
  // `walked` points at this memo's records (those reused) and at listings
  // the walk read, which it keeps alive until this returns.
  void save(const std::string& file, const std::string& root, timespec started,
            const std::vector<std::pair<std::string, const DirListing*>>& walked, bool anything_read) const;

 private:
  bool usable_ = false;
  timespec recorded_{};
  std::unordered_map<std::string, DirListing> dirs_;
};

}  // namespace clnrm
