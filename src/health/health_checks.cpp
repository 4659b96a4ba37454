#include <clnrm/determinism.h>
#include <clnrm/docker.h>
#include <clnrm/health.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/trim.h"

namespace clnrm {
namespace {

HealthCheck make(std::string category, std::string name, HealthCheck::Result result, bool required,
                 std::string detail, std::string fix = {}) {
  return HealthCheck{std::move(category), std::move(name), result, required,
                     std::move(detail),   std::move(fix)};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// unshare(flag) in a throwaway child so the health command itself stays in
// the host namespaces. Returns 0 or the errno.
int try_unshare(int flag) {
  pid_t pid = ::fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    // Only async-signal-safe calls between fork and _exit.
    _exit(::unshare(flag) == 0 ? 0 : (errno & 0xff));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return EFAULT;
}

bool in_container() {
  return ::access("/.dockerenv", F_OK) == 0 || ::access("/run/.containerenv", F_OK) == 0;
}

}  // namespace

bool HealthReport::sandbox_ready() const {
  for (const auto& c : checks) {
    if (c.category != "engine" && c.required && c.result == HealthCheck::Result::Fail) return false;
  }
  return true;
}

bool HealthReport::ready() const {
  for (const auto& c : checks) {
    if (c.required && c.result == HealthCheck::Result::Fail) return false;
  }
  return true;
}

std::vector<HealthCheck> check_namespaces() {
  struct Kind {
    const char* name;
    const char* flag_name;
    int flag;
    bool required;
    const char* why;
  };
  const bool root = ::geteuid() == 0;
  // Root creates the others directly; without root the sandbox needs a user
  // namespace first, so user is required only then. cgroup ns is a nicety.
  const Kind kinds[] = {
      {"user", "CLONE_NEWUSER", CLONE_NEWUSER, !root, "unprivileged sandboxes (not root)"},
      {"pid", "CLONE_NEWPID", CLONE_NEWPID, true,
       "own process tree; everything dies with the cleanroom"},
      {"mount", "CLONE_NEWNS", CLONE_NEWNS, true, "read-only root, private /tmp and workdir"},
      {"net", "CLONE_NEWNET", CLONE_NEWNET, true, "loopback-only network per cleanroom"},
      {"uts", "CLONE_NEWUTS", CLONE_NEWUTS, true, "fixed hostname"},
      {"ipc", "CLONE_NEWIPC", CLONE_NEWIPC, true, "private SysV IPC"},
      {"cgroup", "CLONE_NEWCGROUP", CLONE_NEWCGROUP, false, "private cgroup view"},
  };
  std::vector<HealthCheck> out;
  for (const auto& k : kinds) {
    // Without root the sandbox creates every namespace inside a new user
    // namespace, so that is what to try.
    const int flags = (!root && k.flag != CLONE_NEWUSER) ? (k.flag | CLONE_NEWUSER) : k.flag;
    const int err = try_unshare(flags);
    const std::string name = fmt::format("{} namespace", k.name);
    if (err == 0) {
      out.push_back(make("namespaces", name, HealthCheck::Result::Ok, k.required,
                         fmt::format("unshare works ({})", k.why)));
      continue;
    }
    std::string fix;
    if (k.flag == CLONE_NEWUSER) {
      const std::string max(trim_space(read_file("/proc/sys/user/max_user_namespaces")));
      fix =
          max == "0"
              ? "sysctl -w user.max_user_namespaces=15000"
              : "enable unprivileged user namespaces (sysctl -w "
                "kernel.unprivileged_userns_clone=1; on "
                "Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or run clnrm as root";
    } else if (!root) {
      fix =
          "allow unprivileged user namespaces (see the user namespace check) or run clnrm as root";
    } else if (in_container()) {
      fix =
          "this is a container without CAP_SYS_ADMIN: run it with --privileged (or --cap-add "
          "SYS_ADMIN "
          "--security-opt seccomp=unconfined --security-opt apparmor=unconfined), or use --backend "
          "docker";
    } else {
      fix = fmt::format(
          "the kernel lacks CONFIG_{}_NS or a security module denies it; use --backend docker",
          k.flag == CLONE_NEWNS    ? "MNT"
          : k.flag == CLONE_NEWNET ? "NET"
                                   : "PID/UTS/IPC");
    }
    out.push_back(make("namespaces", name,
                       k.required ? HealthCheck::Result::Fail : HealthCheck::Result::Warn,
                       k.required,
                       fmt::format("unshare({}{}) failed: {}", k.flag_name,
                                   flags != k.flag ? " | CLONE_NEWUSER" : "", std::strerror(err)),
                       fix));
  }
  return out;
}

std::vector<HealthCheck> check_cgroups() {
  std::vector<HealthCheck> out;
  // mountinfo: "... mountpoint opts ... - fstype source superopts"
  std::string v2_mount;
  std::map<std::string, std::string> v1_mounts;  // controller -> mount point
  std::istringstream lines(read_file("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, parent, devno, root, mountpoint, opts, field;
    f >> id >> parent >> devno >> root >> mountpoint >> opts;
    while (f >> field && field != "-") {
    }
    std::string fstype, source, superopts;
    f >> fstype >> source >> superopts;
    if (fstype == "cgroup2" && v2_mount.empty()) v2_mount = mountpoint;
    if (fstype == "cgroup") {
      std::istringstream so(superopts);
      std::string opt;
      while (std::getline(so, opt, ',')) {
        if (opt != "rw" && opt != "ro" && opt.rfind("name=", 0) != 0 &&
            opt.find('=') == std::string::npos) {
          v1_mounts.emplace(opt, mountpoint);
        }
      }
    }
  }
  const bool v1 = !v1_mounts.empty();
  const bool v2 = !v2_mount.empty();
  if (!v1 && !v2) {
    out.push_back(make(
        "cgroups", "cgroup layout", HealthCheck::Result::Warn, false,
        "no cgroup filesystem is mounted",
        "mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup); until then limits "
        "fall back to setrlimit (no pids or memory limit for a whole cleanroom)"));
    return out;
  }
  std::string layout = v1 && v2 ? "hybrid (v1 controllers, v2 at " + v2_mount + ")"
                       : v2     ? "v2 at " + v2_mount
                                : "v1";
  std::set<std::string> v2_controllers;
  if (v2) {
    std::istringstream c(read_file(v2_mount + "/cgroup.controllers"));
    std::string name;
    while (c >> name) v2_controllers.insert(name);
  }
  std::vector<std::string> all;
  for (const auto& [name, mp] : v1_mounts) all.push_back(name + "(v1)");
  for (const auto& name : v2_controllers) all.push_back(name + "(v2)");
  out.push_back(make("cgroups", "cgroup layout", HealthCheck::Result::Ok, false,
                     fmt::format("{}; controllers: {}", layout,
                                 all.empty() ? "none" : fmt::format("{}", fmt::join(all, ", ")))));

  // The limits clnrm enforces: memory, pids, cpu. Where does each live, and can we create a group
  // there?
  const std::string probe = fmt::format("clnrm-health-{}", ::getpid());
  for (const char* controller : {"memory", "pids", "cpu"}) {
    std::string dir;
    std::string version;
    if (v2_controllers.count(controller)) {
      dir = v2_mount;
      version = "v2";
    } else if (v1_mounts.count(controller)) {
      dir = v1_mounts[controller];
      version = "v1";
    }
    const std::string name = fmt::format("cgroup {} controller", controller);
    if (dir.empty()) {
      out.push_back(make(
          "cgroups", name, HealthCheck::Result::Warn, false, "not available",
          fmt::format("enable the {} controller (cgroup_enable={} on the kernel command line, or "
                      "add +{} to cgroup.subtree_control); clnrm falls back to setrlimit",
                      controller, controller, controller)));
      continue;
    }
    const std::string path = dir + "/" + probe;
    if (::mkdir(path.c_str(), 0755) == 0) {
      ::rmdir(path.c_str());
      out.push_back(make("cgroups", name, HealthCheck::Result::Ok, false,
                         fmt::format("{} at {}, writable", version, dir)));
    } else {
      const int err = errno;
      out.push_back(make(
          "cgroups", name, HealthCheck::Result::Warn, false,
          fmt::format("{} at {}, cannot create a group: {}", version, dir, std::strerror(err)),
          err == EROFS
              ? "the cgroup filesystem is mounted read-only (in a container: run it with "
                "--cgroupns=private and a writable /sys/fs/cgroup); limits fall back to setrlimit"
              : "run clnrm as root or delegate a cgroup subtree to this user "
                "(systemd-run --user --scope -p Delegate=yes clnrm ...); limits fall back "
                "to setrlimit"));
    }
  }
  return out;
}

std::vector<HealthCheck> check_libfaketime() {
  if (auto lib = find_libfaketime()) {
    return {make("faketime", "libfaketime", HealthCheck::Result::Ok, false, *lib)};
  }
  std::vector<std::string> paths = libfaketime_search_paths();
  return {make("faketime", "libfaketime", HealthCheck::Result::Warn, false,
               fmt::format("not found (looked in {}); [determinism] freeze_clock cannot work",
                           fmt::join(paths, ", ")),
               "apt-get install faketime (or set CLNRM_LIBFAKETIME to libfaketime.so.1)")};
}

std::vector<HealthCheck> check_history_db(const std::string& path) {
  const std::string name = "history database";
  const std::string fix_suffix = "; or pass --history-db PATH / --no-history";
  // SQLite in WAL mode writes <db>-wal and <db>-shm beside the file: the
  // directory must be writable, not only the file.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return {make("history", name, HealthCheck::Result::Warn, false,
                   path + " exists but is not a file", "remove or rename " + path + fix_suffix)};
    }
    if (::access(path.c_str(), R_OK | W_OK) != 0 || ::access(dir.c_str(), W_OK | X_OK) != 0) {
      return {make("history", name, HealthCheck::Result::Warn, false,
                   fmt::format("{} exists but {} is not writable: {}", path,
                               ::access(path.c_str(), W_OK) != 0 ? "the file" : "its directory",
                               std::strerror(errno)),
                   "chown/chmod " + path + " and " + dir + fix_suffix)};
    }
    return {
        make("history", name, HealthCheck::Result::Ok, false, path + " exists and is writable")};
  }
  // Not there yet: clnrm will create the missing directories. Find the
  // deepest existing ancestor and check we can create entries in it.
  std::string existing = dir;
  while (::stat(existing.c_str(), &st) != 0) {
    const auto slash = existing.rfind('/');
    if (slash == std::string::npos) {
      existing = ".";
      break;
    }
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
  if (::stat(existing.c_str(), &st) != 0) st = {};
  if (!S_ISDIR(st.st_mode)) {
    return {make("history", name, HealthCheck::Result::Warn, false,
                 existing + " is not a directory", "choose another location" + fix_suffix)};
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    return {make("history", name, HealthCheck::Result::Warn, false,
                 fmt::format("{} would be created in {}, which is not writable: {}", path, existing,
                             std::strerror(err)),
                 "make " + existing + " writable" + fix_suffix)};
  }
  return {make(
      "history", name, HealthCheck::Result::Ok, false,
      fmt::format("{} does not exist yet; {} is writable, so it can be created", path, existing))};
}

HealthReport run_health_checks(const HealthOptions& options) {
  HealthReport r;
  auto append = [&](std::vector<HealthCheck> checks) {
    r.checks.insert(r.checks.end(), checks.begin(), checks.end());
  };
  append(check_namespaces());
  append(check_cgroups());
  append(check_engines(options));
  append(check_seccomp_helper(options.docker_host));
  append(check_libfaketime());
  append(check_history_db(options.history_db));
  return r;
}

// The engine checks belong to the docker backend, which knows its engine.
std::vector<HealthCheck> check_engines(const HealthOptions& options) {
  return check_docker_engine({options.docker_host, options.engine_required, options.engine_timeout});
}

std::vector<HealthCheck> check_seccomp_helper(std::string_view docker_host) {
  return check_docker_seccomp_helper(docker_host);
}

}  // namespace clnrm
