// probe_sandbox_support(): which kernel feature the sandbox needs is missing.
// A throw-away child tries each namespace kind on its own (unshare) and the
// newer mount API, and reports the first failure with its errno.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
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

#include <cerrno>
#include <cstring>
#include <mutex>

namespace clnrm {
namespace {

struct Check {
  int flag;            // CLONE_NEW*, or 0 for the mount API check
  const char* what;
};

constexpr Check kChecks[] = {
    {CLONE_NEWUSER, "user namespace"},  {CLONE_NEWNS, "mount namespace"}, {CLONE_NEWPID, "PID namespace"},
    {CLONE_NEWUTS, "UTS namespace"},    {CLONE_NEWIPC, "IPC namespace"},  {CLONE_NEWNET, "network namespace"},
    {0, "read-only recursive bind of / (mount_setattr, Linux 5.12+)"},
};

struct ProbeResult {
  int index = -1;  // into kChecks; -1 = all fine
  int error = 0;
};

std::optional<std::string> run_probe() {
  sandbox::Pipe pipe = sandbox::make_pipe();
  const bool root = ::geteuid() == 0;
  const pid_t child = ::fork();
  if (child < 0) return fmt::format("cannot fork to probe for namespaces: {}", std::strerror(errno));
  if (child == 0) {
    ProbeResult r;
    for (int i = 0; i < static_cast<int>(std::size(kChecks)); ++i) {
      const Check& c = kChecks[i];
      if (c.flag == CLONE_NEWUSER && root) continue;
      int rc;
      if (c.flag != 0) {
        rc = ::unshare(c.flag);
      } else {
        mount_attr attr{};
        attr.propagation = MS_PRIVATE;
        rc = static_cast<int>(::syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr));
      }
      if (rc != 0) {
        r = ProbeResult{i, errno};
        break;
      }
    }
    (void)!::write(pipe.write.get(), &r, sizeof r);
    ::_exit(0);
  }
  pipe.write.reset();
  ProbeResult r;
  const ssize_t n = ::read(pipe.read.get(), &r, sizeof r);
  ::waitpid(child, nullptr, 0);
  if (n != static_cast<ssize_t>(sizeof r)) return std::string("the namespace probe died");
  if (r.index < 0) return std::nullopt;
  const Check& c = kChecks[r.index];
  std::string advice;
  if (r.error == EPERM || r.error == EACCES || r.error == ENOSPC) {
    advice = root ? " — the kernel or a security module (seccomp, AppArmor, a container runtime) forbids it"
                  : " — run as root or enable unprivileged user namespaces (sysctl "
                    "kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, and on Ubuntu "
                    "kernel.apparmor_restrict_unprivileged_userns=0)";
  } else if (r.error == EINVAL || r.error == ENOSYS) {
    advice = " — the kernel lacks this feature (CONFIG_*_NS or a kernel older than 5.12)";
  }
  return fmt::format("cannot create a {}: {}{}", c.what, ::strerrorname_np(r.error), advice);
}

}  // namespace

std::optional<std::string> probe_sandbox_support() {
  static std::once_flag once;
  static std::optional<std::string> result;
  std::call_once(once, [] { result = run_probe(); });
  return result;
}

}  // namespace clnrm
