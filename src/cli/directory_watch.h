#pragma once
// The inotify side of clnrm run --watch (docs/running-tests.md, "Watch
// mode"): one inotify descriptor (owned, closed with the object) watching
// directory trees, directories made later included. It reports paths, not
// meanings: which tests a change affects is affected_tests
// (clnrm/affected_tests.h); when to act, ChangeBatch (change_batch.h).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"

namespace clnrm::cli {

// Names a watch never reports nor descends into: hidden files and
// directories (.git, .clnrm, editor swap files), editor backups and
// autosaves (x~, #x#), vim's write probe (4913), *.swp / *.swo / *.swx and
// the temporary files of clnrm's own atomic writes (x.tmp.PID): each is
// followed by the change that matters (a rename onto the real name).
bool ignored_name(std::string_view name);

// `path` is `dir` or lies below it (both absolute and normal).
bool path_within(const std::string& path, const std::string& dir);

struct WatchEvents {
  std::vector<std::string> paths;  // changed, made, removed or renamed; each once, in order
  // The ones of `paths` that were made (or moved in): one that is gone again
  // by the time the batch is taken was a temporary (sed -i's, an editor's).
  std::vector<std::string> made;
  // The kernel's queue overflowed: changes were lost, the caller must
  // assume anything changed.
  bool overflow = false;
};

class DirectoryWatch {
 public:
  DirectoryWatch();  // throws Error(Io) when inotify is unavailable
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // Watches `root` and every directory below it (not through symbolic
  // links, not into ignored names). Throws Error(Usage) naming `root` when
  // it is not a directory, Error(Io) when the kernel's watch limit is hit.
  void add_tree(const std::string& root);

  // For poll(2): readable when events are pending.
  int fd() const noexcept { return fd_.get(); }
  // Every pending event, without blocking. A directory made or moved in is
  // watched (with its subtree) before this returns, and reported itself.
  WatchEvents read();
  // How many directories are watched; 0 once every watched tree is gone.
  std::size_t directories() const noexcept { return dirs_.size(); }

 private:
  void add_directory(const std::string& path, bool follow);
  void add_subtree(const std::string& top, bool follow_top);
  void forget_below(const std::string& path);

  UniqueFd fd_;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory path
};

}  // namespace clnrm::cli
