#pragma once
// The security levels of docs/security.md as data: ONE place turns a test's
// (SecurityLevel, [limits], host_network) into the concrete isolation both
// backends apply. The sandbox (src/backend/sandbox/security.cpp, cgroups.cpp)
// and the Docker backend (src/backend/docker/container_spec.cpp) read an
// IsolationPolicy; neither has a level table of its own. docs/security.md
// lists what enforces each field on each backend and the test proving it.

#include <clnrm/spec.h>

#include <string>
#include <vector>

namespace clnrm {

enum class NetworkMode {
  Loopback,  // the cleanroom's own network namespace, only `lo` (docker: NetworkMode none / container:<pause>)
  Host,      // the host's network namespace (only ever at level low with host_network = true)
};
std::string_view to_string(NetworkMode mode) noexcept;

enum class RootFs {
  // low: the root the step sees is read-only underneath (host root in the
  // sandbox, image layers in docker) with a writable scratch on top
  // (sandbox: tmpfs /tmp + workdir; docker: the container's own layer).
  ScratchOverReadOnly,
  // medium/high: read-only root, writes only to tmpfs mounts (`tmpfs`).
  ReadOnlyWithTmpfs,
};
std::string_view to_string(RootFs root) noexcept;

struct IsolationPolicy {
  SecurityLevel level = SecurityLevel::Medium;
  NetworkMode network = NetworkMode::Loopback;
  RootFs root_fs = RootFs::ReadOnlyWithTmpfs;
  std::vector<std::string> tmpfs;  // writable tmpfs mount points ("/tmp", "/run")
  bool nosuid = true;              // setuid binaries do not raise privileges
  // Capabilities kept, lower-case names without CAP_ ("chown", "kill", ...).
  // Everything else is dropped from the bounding, effective and permitted sets.
  std::vector<std::string> capabilities;
  bool no_new_privs = true;
  bool seccomp = false;                      // a seccomp-bpf filter is installed
  std::vector<std::string> denied_syscalls;  // fail with EPERM under the filter
  bool deny_new_user_namespaces = false;     // unshare/clone(CLONE_NEWUSER) denied; clone3 -> ENOSYS
  // Denied at every level: the kernel's keyrings are not namespaced, and the
  // host root user's keyring is reachable from host root (level low). The
  // sandbox's filter denies them at every level; Docker's default seccomp
  // profile denies them in every container (and clnrm's filter again at high).
  std::vector<std::string> always_denied_syscalls = {"keyctl", "add_key", "request_key"};
  // Effective limits: the test's [limits] where set, the level's defaults otherwise.
  LimitsSpec limits;
  bool host_network_ignored = false;  // host_network = true asked above low
  // Why a request was not honoured, naming the key (e.g. host_network above low).
  std::vector<std::string> warnings;
};

// The §7 table. Explicit [limits] always win over the level's defaults.
// host_network = true is honoured at Low only; at Medium/High the pod stays
// loopback-only and `warnings` says "[policy] host_network = true ignored ...".
IsolationPolicy make_isolation_policy(SecurityLevel level, const LimitsSpec& limits = {}, bool host_network = false);

// Default [limits] per level (what make_isolation_policy fills in when the test sets none).
LimitsSpec default_limits(SecurityLevel level);

}  // namespace clnrm
