// DirectoryWatch (directory_watch.h): recursive inotify.
#include "cli/directory_watch.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <sys/inotify.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace clnrm::cli {
namespace {

namespace fs = std::filesystem;

// A file's content or metadata was written and closed, or a name came or
// went. Not IN_MODIFY: a change counts once the writer has closed the file,
// so a slow write is one change, not one per write(2).
constexpr std::uint32_t kEvents = IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
                                  IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// "name.tmp.1234": write_file_atomically's temporary (src/base/atomic_file.cpp).
bool atomic_write_temporary(std::string_view name) {
  const auto at = name.rfind(".tmp.");
  if (at == std::string_view::npos || at + 5 == name.size()) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(at + 5), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool path_within(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

bool ignored_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '#' || name.back() == '~') return true;
  if (name == "4913") return true;
  for (std::string_view tail : {".swp", ".swo", ".swx"})
    if (ends_with(name, tail)) return true;
  return atomic_write_temporary(name);
}

DirectoryWatch::DirectoryWatch() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (!fd_.valid()) throw_errno("inotify_init1 (clnrm run --watch)");
}

void DirectoryWatch::add_directory(const std::string& path, bool follow) {
  const std::uint32_t mask = kEvents | IN_ONLYDIR | (follow ? 0u : IN_DONT_FOLLOW);
  const int wd = ::inotify_add_watch(fd_.get(), path.c_str(), mask);
  if (wd >= 0) {
    dirs_.emplace(wd, path);  // an overlapping root's directory keeps its first spelling
    return;
  }
  if (errno == ENOSPC)
    throw Error(ErrorKind::Io,
                "the kernel's limit of inotify watches is reached (raise "
                "fs.inotify.max_user_watches, or watch a smaller directory)",
                path);
  if (follow) throw_errno("cannot watch " + path);
  // A subdirectory that went away or cannot be read meanwhile: not watched.
}

void DirectoryWatch::add_tree(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw Error(ErrorKind::Usage, "not a directory (--watch watches directories)", root);
  std::string top = fs::path(root).lexically_normal().string();
  while (top.size() > 1 && top.back() == '/') top.pop_back();
  add_subtree(top, /*follow_top=*/true);
}

void DirectoryWatch::add_subtree(const std::string& top, bool follow_top) {
  add_directory(top, follow_top);
  std::error_code ec;
  fs::recursive_directory_iterator it(top, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    if (ignored_name(it->path().filename().string())) {
      it.disable_recursion_pending();
      continue;
    }
    add_directory(it->path().string(), /*follow=*/false);
  }
}

void DirectoryWatch::forget_below(const std::string& path) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (path_within(it->second, path)) {
      ::inotify_rm_watch(fd_.get(), it->first);
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
}

WatchEvents DirectoryWatch::read() {
  WatchEvents out;
  auto report = [&](const std::string& path) {
    if (std::find(out.paths.begin(), out.paths.end(), path) == out.paths.end())
      out.paths.push_back(path);
  };
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more pending
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & IN_Q_OVERFLOW) {
        out.overflow = true;
        continue;
      }
      const auto dir = dirs_.find(e->wd);
      if (dir == dirs_.end()) continue;
      if (e->mask & IN_IGNORED) {  // the watch is gone (its directory removed)
        dirs_.erase(dir);
        continue;
      }
      const std::string dir_path = dir->second;
      if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
        // Gone or moved away: its path no longer names it.
        report(dir_path);
        forget_below(dir_path);
        continue;
      }
      const std::string name = e->len ? std::string(e->name) : std::string();
      if (ignored_name(name)) continue;
      const std::string path = dir_path + "/" + name;
      if (e->mask & IN_ISDIR) {
        if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
          add_subtree(
              path, /*follow_top=*/false);  // what it already holds is found by the caller's rescan
        } else if (e->mask & IN_MOVED_FROM) {
          forget_below(path);
        } else if (!(e->mask & IN_DELETE)) {
          continue;  // a subdirectory's attributes: not a change of any file
        }
      }
      report(path);
      if (e->mask & (IN_CREATE | IN_MOVED_TO)) out.made.push_back(path);
    }
  }
  return out;
}

}  // namespace clnrm::cli
