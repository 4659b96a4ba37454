// Side: shared tool (docs/SANDBOX.md, "Code by side"). The plan is made by
// the runner; its application runs in children inside the pod (security.h).
#include "backend/sandbox/security.h"

#include "base/unique_fd.h"
#include "policy/seccomp_deny_rules.h"

#include <clnrm/error.h>

#include <fmt/format.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

namespace clnrm::sandbox {
namespace {

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

int read_cap_last() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int value = CAP_LAST_CAP;
  if (in >> value) return value;
  return CAP_LAST_CAP;
}

const char* const kCapNames[] = {
    "chown",        "dac_override", "dac_read_search", "fowner",       "fsetid",          "kill",
    "setgid",       "setuid",       "setpcap",         "linux_immutable", "net_bind_service", "net_broadcast",
    "net_admin",    "net_raw",      "ipc_lock",        "ipc_owner",    "sys_module",      "sys_rawio",
    "sys_chroot",   "sys_ptrace",   "sys_pacct",       "sys_admin",    "sys_boot",        "sys_nice",
    "sys_resource", "sys_time",     "sys_tty_config",  "mknod",        "lease",           "audit_write",
    "audit_control", "setfcap",     "mac_override",    "mac_admin",    "syslog",          "wake_alarm",
    "block_suspend", "audit_read",  "perfmon",         "bpf",          "checkpoint_restore"};

}  // namespace

std::uint64_t capability_bits(const std::vector<std::string>& names) {
  std::uint64_t bits = 0;
  for (const std::string& name : names) {
    bool known = false;
    for (int cap = 0; cap < static_cast<int>(std::size(kCapNames)); ++cap) {
      if (name == kCapNames[cap]) {
        bits |= bit(cap);
        known = true;
        break;
      }
    }
    if (!known) throw Error(ErrorKind::Backend, fmt::format("unknown capability '{}' in the isolation policy", name), "sandbox");
  }
  return bits;
}

SecurityPlan make_security_plan(const IsolationPolicy& policy) {
  static const int cap_last = read_cap_last();
  SecurityPlan plan;
  plan.level = policy.level;
  plan.cap_last = cap_last;
  plan.keep_caps = capability_bits(policy.capabilities);
  plan.no_new_privs = policy.no_new_privs;
  // Every level has a filter: at least the syscalls denied everywhere.
  std::vector<std::string> denied = policy.always_denied_syscalls;
  if (policy.seccomp) {
    for (const std::string& name : policy.denied_syscalls) {
      if (std::find(denied.begin(), denied.end(), name) == denied.end()) denied.push_back(name);
    }
  }
  plan.seccomp = seccomp_program(denied, policy.seccomp && policy.deny_new_user_namespaces);
  plan.denied_syscalls = std::move(denied);
  return plan;
}

std::string describe_caps(std::uint64_t caps) {
  if (caps == 0) return "none";
  std::string out;
  for (int cap = 0; cap < 64; ++cap) {
    if (!(caps & bit(cap))) continue;
    if (!out.empty()) out += ',';
    if (cap < static_cast<int>(std::size(kCapNames))) {
      out += kCapNames[cap];
    } else {
      out += fmt::format("cap{}", cap);
    }
  }
  return out;
}

int drop_bounding_set(const SecurityPlan& plan, const char** stage) noexcept {
  for (int cap = 0; cap <= plan.cap_last; ++cap) {
    if (plan.keep_caps & bit(cap)) continue;
    // EINVAL: a capability this kernel does not know; nothing to drop.
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      *stage = "prctl(PR_CAPBSET_DROP)";
      return errno;
    }
  }
  return 0;
}

int switch_identity(int uid, int gid, const char** stage) noexcept {
  const gid_t groups[1] = {static_cast<gid_t>(gid)};
  // Raw syscalls: glibc's wrappers signal every thread of the process, and a
  // vfork child of the runner shares the runner's threads' bookkeeping.
  if (::syscall(SYS_setgroups, 1, groups) != 0) {
    *stage = "setgroups (the image's User)";
    return errno;
  }
  if (::syscall(SYS_setresgid, gid, gid, gid) != 0) {
    *stage = "setresgid (the image's User; its gid must be mapped in the pod)";
    return errno;
  }
  // Keep the permitted set across the uid change, then make it effective
  // again: the plan's capset and bounding-set drop need it.
  ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
  if (::syscall(SYS_setresuid, uid, uid, uid) != 0) {
    *stage = "setresuid (the image's User; its uid must be mapped in the pod)";
    return errno;
  }
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) {
    *stage = "capget";
    return errno;
  }
  for (auto& word : data) word.effective = word.permitted;
  if (::syscall(SYS_capset, &header, data) != 0) {
    *stage = "capset (after the image's User)";
    return errno;
  }
  return 0;
}

int apply_security_in_child(const SecurityPlan& plan, const char** stage, bool bounding_set_dropped) noexcept {
  for (const RlimitSetting& r : plan.rlimits) {
    if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &r.value) != 0) {
      *stage = "setrlimit";
      return errno;
    }
  }
  if (!bounding_set_dropped) {
    if (const int e = drop_bounding_set(plan, stage); e != 0) return e;
  }
  // The filter goes on while CAP_SYS_ADMIN is still effective: at low there
  // is no no_new_privs, and without either the kernel refuses a filter.
  if (plan.seccomp != nullptr && ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, plan.seccomp) != 0) {
    *stage = "seccomp(SECCOMP_SET_MODE_FILTER)";
    return errno;
  }
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    const auto word = static_cast<std::uint32_t>(plan.keep_caps >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0) {
    *stage = "capset";
    return errno;
  }
  if (plan.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *stage = "prctl(PR_SET_NO_NEW_PRIVS)";
    return errno;
  }
  return 0;
}

namespace {

struct SeccompProgram {
  std::vector<sock_filter> filter;
  sock_fprog program{};
  std::string failure;
};

// Builds the filter denying `denied` (EPERM) and, with `deny_userns`, new
// user namespaces.
void build_seccomp(SeccompProgram& out, const std::vector<std::string>& denied, bool deny_userns) {
  std::vector<sock_filter>& filter = out.filter;
  sock_fprog& program = out.program;
  std::string& failure = out.failure;
  [&] {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr) {
      failure = "seccomp_init failed";
      return;
    }
    // The same rules the clnrm-seccomp-exec helper loads inside containers.
    std::vector<const char*> names;
    for (const std::string& name : denied) names.push_back(name.c_str());
    const char* unknown = nullptr;
    const int rc = clnrm_add_seccomp_deny_rules(ctx, names.data(), names.size(), deny_userns ? 1 : 0, &unknown);
    if (rc != 0) {
      failure = unknown != nullptr ? fmt::format("unknown syscall '{}' in the isolation policy", unknown)
                                   : fmt::format("seccomp_rule_add failed: {}", -rc);
      seccomp_release(ctx);
      return;
    }
    UniqueFd mem(::memfd_create("clnrm-seccomp", MFD_CLOEXEC));
    if (!mem.valid() || seccomp_export_bpf(ctx, mem.get()) != 0) {
      failure = "seccomp_export_bpf failed";
      seccomp_release(ctx);
      return;
    }
    seccomp_release(ctx);
    const off_t size = ::lseek(mem.get(), 0, SEEK_END);
    filter.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(mem.get(), filter.data(), filter.size() * sizeof(sock_filter), 0) !=
        static_cast<ssize_t>(filter.size() * sizeof(sock_filter))) {
      failure = "reading the exported seccomp program failed";
      return;
    }
    program.len = static_cast<unsigned short>(filter.size());
    program.filter = filter.data();
  }();
}

}  // namespace

const sock_fprog* seccomp_program(const std::vector<std::string>& denied, bool deny_userns) {
  // Built once per distinct policy (in practice: the one High list) and kept
  // for the process's life: pods point at it from forked children.
  static std::mutex mutex;
  static std::map<std::pair<std::vector<std::string>, bool>, std::unique_ptr<SeccompProgram>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[{denied, deny_userns}];
  if (!slot) {
    auto built = std::make_unique<SeccompProgram>();
    build_seccomp(*built, denied, deny_userns);
    if (!built->failure.empty()) throw Error(ErrorKind::Backend, "cannot build the seccomp filter: " + built->failure);
    slot = std::move(built);
  }
  return &slot->program;
}

}  // namespace clnrm::sandbox
