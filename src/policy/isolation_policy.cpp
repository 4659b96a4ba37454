#include <clnrm/policy.h>

#include <fmt/format.h>

namespace clnrm {
namespace {

// Docker's default capability set (moby oci/caps/defaults.go) less mknod: no
// sys_admin, so a root step cannot remount its read-only view writable even
// at low; no mknod, because Docker's device cgroup lets every container open
// c 5:1 (the host's console) and more, and no API removes that rule
// (tests/integration/docker_host_escape_test.cpp). The sandbox's writable
// mounts are nodev anyway.
const std::vector<std::string> kLowCapabilities = {
    "chown",   "dac_override", "fsetid", "fowner",           "net_raw",    "setgid", "setuid",
    "setfcap", "setpcap",      "kill",   "net_bind_service", "sys_chroot", "audit_write"};

// Enough for ordinary servers and shells: own files, change uid/gid, bind low
// ports, signal their children.
const std::vector<std::string> kMediumCapabilities = {"chown",  "dac_override", "fowner", "fsetid",
                                                      "kill",   "setgid",       "setuid", "net_bind_service"};

// Mounting, namespaces beyond the pod's, kernel code loading, tracing other
// processes, and kernel interfaces a test has no use for.
const std::vector<std::string> kHighDeniedSyscalls = {
    "mount",         "umount2",       "pivot_root",    "ptrace",          "process_vm_readv", "process_vm_writev",
    "kexec_load",    "kexec_file_load", "bpf",         "init_module",     "finit_module",     "delete_module",
    "reboot",        "swapon",        "swapoff",       "setns",           "open_by_handle_at", "name_to_handle_at",
    "keyctl",        "add_key",       "request_key",   "perf_event_open", "userfaultfd",      "fsopen",
    "fsconfig",      "fsmount",       "fspick",        "open_tree",       "move_mount",       "mount_setattr",
    "acct",          "iopl",          "ioperm",        "quotactl",        "syslog",           "vhangup",
    "lookup_dcookie", "settimeofday", "clock_settime", "adjtimex",        "clock_adjtime"};

}  // namespace

std::string_view to_string(NetworkMode mode) noexcept {
  return mode == NetworkMode::Host ? "host" : "loopback";
}

std::string_view to_string(RootFs root) noexcept {
  return root == RootFs::ScratchOverReadOnly ? "writable scratch over read-only root" : "read-only root, writes only to tmpfs";
}

LimitsSpec default_limits(SecurityLevel level) {
  LimitsSpec l;
  switch (level) {
    case SecurityLevel::Low:
      break;  // none
    case SecurityLevel::Medium:
      l.memory_mb = 1024;
      l.pids = 1024;
      break;
    case SecurityLevel::High:
      l.memory_mb = 512;
      l.pids = 256;
      l.cpu_millicores = 1000;
      break;
  }
  return l;
}

IsolationPolicy make_isolation_policy(SecurityLevel level, const LimitsSpec& limits, bool host_network) {
  IsolationPolicy p;
  p.level = level;
  p.limits = default_limits(level);
  if (limits.memory_mb) p.limits.memory_mb = limits.memory_mb;
  if (limits.pids) p.limits.pids = limits.pids;
  if (limits.cpu_millicores) p.limits.cpu_millicores = limits.cpu_millicores;
  p.limits.pos = limits.pos;
  switch (level) {
    case SecurityLevel::Low:
      p.network = host_network ? NetworkMode::Host : NetworkMode::Loopback;
      p.root_fs = RootFs::ScratchOverReadOnly;
      p.tmpfs = {"/tmp"};
      p.nosuid = false;
      p.capabilities = kLowCapabilities;
      p.no_new_privs = false;
      break;
    case SecurityLevel::Medium:
      p.root_fs = RootFs::ReadOnlyWithTmpfs;
      p.tmpfs = {"/tmp", "/run"};
      p.capabilities = kMediumCapabilities;
      p.no_new_privs = true;
      break;
    case SecurityLevel::High:
      p.root_fs = RootFs::ReadOnlyWithTmpfs;
      p.tmpfs = {"/tmp", "/run"};
      p.capabilities = {};
      p.no_new_privs = true;
      p.seccomp = true;
      p.denied_syscalls = kHighDeniedSyscalls;
      p.deny_new_user_namespaces = true;
      break;
  }
  if (host_network && level != SecurityLevel::Low) {
    p.host_network_ignored = true;
    // A warning, not an error: the test still runs, isolated more strictly
    // than it asked, and the run's output names the key that was ignored.
    p.warnings.push_back(fmt::format("[policy] host_network = true ignored at security level {}: only honoured at low",
                                     to_string(level)));
  }
  return p;
}

}  // namespace clnrm
