// The runner's side of a pod's root view (root_view.h): which host paths a
// pod sees, and the sockets among them.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/root_view.h"

#include <clnrm/error.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>

#include "backend/host_sockets.h"
#include "base/cache_dir.h"

namespace clnrm::sandbox {
namespace {

// What programs need to run, and nothing that holds host state or sockets
// (/run, /var, /home, /root, /srv, /mnt, /media, /boot are not here).
constexpr const char* kSystemDirs[] = {"/usr",   "/bin",    "/sbin", "/lib", "/lib32",
                                       "/lib64", "/libx32", "/etc",  "/opt"};

// /usr and /lib* are the distribution's packages: walking them costs seconds
// (hundreds of thousands of files) and a package ships no socket. /etc and
// /opt are small and are where a local program could leave one.
bool scanned_for_sockets(const std::string& dir) { return dir == "/etc" || dir == "/opt"; }

std::string read_link(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0 || n == static_cast<ssize_t>(sizeof buf)) throw_errno("sandbox: readlink " + path);
  return std::string(buf, static_cast<std::size_t>(n));
}

// Where the walk of a system directory is remembered between runs
// (socket_walk_memo.h): every run walks the same /etc and /opt. A test's
// shared directories are walked afresh (a memo per temporary directory would
// pile up).
std::string system_walk_memo(const std::string& dir) {
  const auto cache = user_cache_dir();
  return cache ? *cache + "/host-sockets" + dir : std::string();
}

// The sockets under `dir`, covered (a system directory's walk is remembered).
void add_sockets(RootView& view, const std::string& dir, bool shared) {
  for (std::string& socket : walk_for_unix_sockets(dir, shared ? std::string() : system_walk_memo(dir)).sockets)
    view.covered.push_back(std::move(socket));
}

// Secrets of the host that its root may read (low pods run as host root).
constexpr const char* kSecrets[] = {"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
                                    "/etc/security/opasswd"};

void add_secrets(RootView& view) {
  for (const char* file : kSecrets) {
    if (::access(file, F_OK) == 0) view.covered.emplace_back(file);
  }
  // The host's ssh keys: /etc/ssh/ssh_host_*_key.
  if (DIR* d = ::opendir("/etc/ssh")) {
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name.starts_with("ssh_host_") && name.ends_with("_key"))
        view.covered.push_back("/etc/ssh/" + std::string(name));
    }
    ::closedir(d);
  }
}

// A volume of the test (the parser resolved and checked its paths; checked
// again here, the host may have changed since). Its sockets are covered
// where the pod sees them.
void add_volume(RootView& view, const VolumeSpec& v) {
  const std::string& host = v.host_path;
  if (host.empty() || host.front() != '/' || host == "/" || host.find("/../") != std::string::npos ||
      host.ends_with("/..") || v.container_path.empty() || v.container_path.front() != '/' ||
      v.container_path == "/") {
    throw Error(ErrorKind::Config, "a volume needs an absolute host path (not /) and an absolute container path",
                host + " -> " + v.container_path);
  }
  struct stat st {};
  if (::lstat(host.c_str(), &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
    throw Error(ErrorKind::Config,
                "a volume's host path does not exist, or is not a directory or regular file (a symbolic link "
                "is not followed)",
                host);
  }
  ViewEntry entry{host, S_ISDIR(st.st_mode) ? ViewEntry::Kind::Directory : ViewEntry::Kind::File, {}, true};
  entry.target = v.container_path;
  entry.writable = !v.read_only;
  entry.volume = true;
  view.entries.push_back(entry);
  if (!S_ISDIR(st.st_mode)) return;
  for (const std::string& socket : find_unix_sockets(host))
    view.covered.push_back(v.container_path + socket.substr(host.size()));
}

}  // namespace

std::shared_ptr<const RootView> system_root_entries() {
  auto v = std::make_shared<RootView>();
  for (const char* dir : kSystemDirs) {
    struct stat st {};
    if (::lstat(dir, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      v->entries.push_back({dir, ViewEntry::Kind::Symlink, read_link(dir), false});
    } else if (S_ISDIR(st.st_mode)) {
      v->entries.push_back({dir, ViewEntry::Kind::Directory, {}, false});
    }
  }
  return v;
}

std::vector<std::string> system_covered() {
  RootView v;
  for (const char* dir : kSystemDirs) {
    if (!scanned_for_sockets(dir)) continue;
    struct stat st {};
    if (::lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    add_sockets(v, dir, false);
  }
  add_secrets(v);
  return std::move(v.covered);
}

std::shared_ptr<const RootView> SystemViewOnce::entries() {
  std::call_once(entries_once_, [this] { entries_ = system_root_entries(); });
  return entries_;
}

std::shared_ptr<const std::vector<std::string>> SystemViewOnce::covered() {
  std::call_once(covered_once_, [this] { covered_ = std::make_shared<const std::vector<std::string>>(system_covered()); });
  return covered_;
}

std::shared_ptr<const RootView> add_shared_dirs(const std::shared_ptr<const RootView>& system,
                                                const std::vector<std::string>& shared_dirs,
                                                const std::vector<VolumeSpec>& volumes) {
  if (shared_dirs.empty() && volumes.empty()) return system;
  // Walked once per list (a test directory is shared by every test file in
  // it), as long as the backend's system view is the same. Never destroyed,
  // like the seccomp programs (security_plan.cpp): a standby pod may be in
  // the making while exit() runs.
  static auto& mutex = *new std::mutex;
  static auto& cache = *new std::map<std::vector<std::string>, std::shared_ptr<const RootView>>;
  std::vector<std::string> key = shared_dirs;
  for (const VolumeSpec& v : volumes)
    key.push_back(fmt::format("volume\n{}\n{}\n{}", v.host_path, v.container_path, v.read_only));
  static auto& cached_for = *new std::shared_ptr<const RootView>;
  std::lock_guard lock(mutex);
  if (cached_for != system) {
    cache.clear();
    cached_for = system;
  }
  auto& slot = cache[key];
  if (slot) return slot;
  if (shared_dirs.size() + volumes.size() > static_cast<std::size_t>(kMaxSharedDirs)) {
    throw Error(ErrorKind::Config,
                fmt::format("{} directories and volumes shared with one cleanroom; at most {}",
                            shared_dirs.size() + volumes.size(), kMaxSharedDirs));
  }
  auto view = std::make_shared<RootView>(*system);
  for (const std::string& dir : shared_dirs) {
    if (dir.empty() || dir.front() != '/' || dir.find("/../") != std::string::npos ||
        dir.ends_with("/..")) {
      throw Error(ErrorKind::Config,
                  "a directory shared with a cleanroom must be an absolute path without '..'", dir);
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      throw Error(ErrorKind::Config,
                  "a directory shared with a cleanroom does not exist (or is not a directory)",
                  dir);
    }
    if (dir == "/")
      throw Error(ErrorKind::Config, "the host's root cannot be shared with a cleanroom", dir);
    view->entries.push_back({dir, ViewEntry::Kind::Directory, {}, true});
    add_sockets(*view, dir, true);
  }
  for (const VolumeSpec& v : volumes) add_volume(*view, v);
  slot = std::move(view);
  return slot;
}

}  // namespace clnrm::sandbox
