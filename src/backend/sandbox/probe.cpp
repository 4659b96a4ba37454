// probe_sandbox_support(): what the sandbox can do on this machine, item by
// item, with what to do about each missing one. `--backend auto` (its
// blocker) and `clnrm health` (its checks) both ask this one probe, so health
// reports exactly what a run will find.
//
// Namespaces: a throw-away child unshares each kind in turn, cumulatively, the
// user namespace first, as pod init's clone does (sandbox_pod.cpp), then tries
// the newer mount API the pod's read-only root needs. Limits: where
// PodCgroups::create would put each group (cgroup_parent, cgroups.h).
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/pipe.h"

#include <clnrm/sandbox.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

namespace clnrm {
namespace {

struct Feature {
  int flag;               // CLONE_NEW*, or 0 for the mount API
  const char* name;       // the health check's name
  const char* call;       // what was tried, for the detail
  const char* why;        // what the sandbox uses it for
};

constexpr Feature kFeatures[] = {
    {CLONE_NEWUSER, "user namespace", "unshare(CLONE_NEWUSER)",
     "unprivileged runners; a root runner's medium and high pods"},
    {CLONE_NEWNS, "mount namespace", "unshare(CLONE_NEWNS)", "read-only root, private /tmp and workdir"},
    {CLONE_NEWPID, "pid namespace", "unshare(CLONE_NEWPID)", "own process tree; everything dies with the cleanroom"},
    {CLONE_NEWUTS, "uts namespace", "unshare(CLONE_NEWUTS)", "fixed hostname"},
    {CLONE_NEWIPC, "ipc namespace", "unshare(CLONE_NEWIPC)", "private SysV IPC"},
    {CLONE_NEWNET, "net namespace", "unshare(CLONE_NEWNET)", "loopback-only network per cleanroom"},
    {0, "mount API", "mount_setattr(AT_RECURSIVE)", "read-only recursive bind of / (Linux 5.12+)"},
};
constexpr std::size_t kCount = std::size(kFeatures);
constexpr std::size_t kUser = 0, kMount = 1;
static_assert(kFeatures[kUser].flag == CLONE_NEWUSER && kFeatures[kMount].flag == CLONE_NEWNS);
constexpr int kNotTried = -1;  // the mount API is tried only inside a new mount namespace

using Errors = std::array<int, kCount>;  // 0 = works, else the errno

// Everything in the child is async-signal-safe: the runner may have threads.
Errors try_features(std::string& failure) {
  sandbox::Pipe pipe = sandbox::make_pipe();
  const pid_t child = ::fork();
  if (child < 0) {
    failure = fmt::format("cannot fork to probe for namespaces: {}", std::strerror(errno));
    return {};
  }
  if (child == 0) {
    Errors errors{};
    for (std::size_t i = 0; i < kCount; ++i) {
      const Feature& f = kFeatures[i];
      if (f.flag != 0) {
        errors[i] = ::unshare(f.flag) == 0 ? 0 : errno;
      } else if (errors[kMount] != 0) {
        // Never on the host's mount table: only in the mount namespace just made.
        errors[i] = kNotTried;
      } else {
        mount_attr attr{};
        attr.propagation = MS_PRIVATE;
        errors[i] = ::syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) == 0 ? 0 : errno;
      }
    }
    (void)!::write(pipe.write.get(), &errors, sizeof errors);
    ::_exit(0);
  }
  pipe.write.reset();
  Errors errors{};
  const ssize_t n = ::read(pipe.read.get(), &errors, sizeof errors);
  ::waitpid(child, nullptr, 0);
  if (n != static_cast<ssize_t>(sizeof errors)) failure = "the namespace probe died";
  return errors;
}

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool in_container() {
  return ::access("/.dockerenv", F_OK) == 0 || ::access("/run/.containerenv", F_OK) == 0;
}

// What to do when `f` failed with `error`.
std::string fix_for(const Feature& f, int error, bool root, bool user_failed) {
  if (f.flag == 0 && error == kNotTried) return "needs the mount namespace (see the mount namespace check)";
  if (error == EINVAL || error == ENOSYS)
    return f.flag == 0 ? "the kernel is older than 5.12 (no mount_setattr); use --backend docker"
                       : "the kernel lacks this namespace (CONFIG_*_NS); use --backend docker";
  if (f.flag == CLONE_NEWUSER) {
    if (first_line("/proc/sys/user/max_user_namespaces") == "0") return "sysctl -w user.max_user_namespaces=15000";
    return root ? "a security module or container runtime forbids user namespaces: only level low runs; "
                  "allow them (on Ubuntu sysctl -w kernel.apparmor_restrict_unprivileged_userns=0) or use "
                  "--backend docker"
                : "enable unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1; on "
                  "Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or run clnrm as root";
  }
  if (!root && user_failed) return "needs the user namespace (see the user namespace check), or run clnrm as root";
  if (in_container())
    return "this is a container without CAP_SYS_ADMIN: run it with --privileged (or --cap-add SYS_ADMIN "
           "--security-opt seccomp=unconfined --security-opt apparmor=unconfined), or use --backend docker";
  return "the kernel or a security module (seccomp, AppArmor) forbids it; use --backend docker";
}

std::vector<HealthCheck> probe_namespaces() {
  const bool root = ::geteuid() == 0;
  std::string failure;
  const Errors errors = try_features(failure);
  if (!failure.empty())
    return {{"namespaces", "namespace probe", HealthCheck::Result::Fail, true, failure, "retry; see dmesg"}};
  std::vector<HealthCheck> out;
  for (std::size_t i = 0; i < kCount; ++i) {
    const Feature& f = kFeatures[i];
    // A root runner's low pods need no user namespace; every other pod needs all of them.
    const bool required = f.flag != CLONE_NEWUSER || !root;
    if (errors[i] == 0) {
      out.push_back({"namespaces", f.name, HealthCheck::Result::Ok, required, fmt::format("works ({})", f.why), {}});
      continue;
    }
    const std::string detail = errors[i] == kNotTried ? fmt::format("{} not tried", f.call)
                                                      : fmt::format("{} failed: {} ({})", f.call,
                                                                    std::strerror(errors[i]),
                                                                    ::strerrorname_np(errors[i]));
    out.push_back({"namespaces", f.name, required ? HealthCheck::Result::Fail : HealthCheck::Result::Warn,
                   required, detail, fix_for(f, errors[i], root, errors[kUser] != 0)});
  }
  return out;
}

// One check per limit: the group PodCgroups::create would use, or what the
// pod gets instead.
std::vector<HealthCheck> probe_cgroups(const SandboxOptions& options) {
  std::vector<HealthCheck> out;
  for (const sandbox::LimitMechanism& m : sandbox::kLimitMechanisms) {
    const std::string name = fmt::format("cgroup {} limit", m.controller);
    const Parsed<std::string> parent = sandbox::cgroup_parent(options, m.controller);
    if (parent) {
      out.push_back({"cgroups", name, HealthCheck::Result::Ok, false, fmt::format("{} in {}", m.cgroup, *parent), {}});
      continue;
    }
    const std::string instead =
        m.fallback ? fmt::format("a {} limit the test sets falls back to {}", m.controller, m.fallback)
                   : fmt::format("{} limits are not enforced", m.controller);
    out.push_back({"cgroups", name, HealthCheck::Result::Warn, false,
                   fmt::format("{}: {}", parent.error(), instead),
                   "run clnrm as root on a host with the cgroup v1 memory, pids and cpu hierarchies under " +
                       options.cgroup_root + ", or use --backend docker (the engine's cgroups)"});
  }
  return out;
}

}  // namespace

std::optional<std::string> SandboxSupport::blocker() const {
  for (const HealthCheck& c : checks)
    if (c.required && c.result == HealthCheck::Result::Fail)
      return fmt::format("{}: {} — {}", c.name, c.detail, c.fix);
  return std::nullopt;
}

SandboxSupport probe_sandbox_support(const SandboxOptions& options) {
  // The namespace probe costs a fork and a set of namespaces: once per process.
  static std::once_flag once;
  static std::vector<HealthCheck> namespaces;
  std::call_once(once, [] { namespaces = probe_namespaces(); });
  SandboxSupport support{namespaces};
  for (HealthCheck& c : probe_cgroups(options)) support.checks.push_back(std::move(c));
  return support;
}

}  // namespace clnrm
