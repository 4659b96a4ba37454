#include "backend/sandbox/security.h"

#include "backend/sandbox/unique_fd.h"

#include <clnrm/error.h>

#include <fmt/format.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <mutex>

namespace clnrm::sandbox {
namespace {

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

// Docker's default set (moby/oci/caps/defaults.go).
constexpr std::uint64_t kLowCaps = bit(CAP_CHOWN) | bit(CAP_DAC_OVERRIDE) | bit(CAP_FSETID) | bit(CAP_FOWNER) |
                                   bit(CAP_MKNOD) | bit(CAP_NET_RAW) | bit(CAP_SETGID) | bit(CAP_SETUID) |
                                   bit(CAP_SETFCAP) | bit(CAP_SETPCAP) | bit(CAP_NET_BIND_SERVICE) |
                                   bit(CAP_SYS_CHROOT) | bit(CAP_KILL) | bit(CAP_AUDIT_WRITE);
constexpr std::uint64_t kMediumCaps = bit(CAP_CHOWN) | bit(CAP_DAC_OVERRIDE) | bit(CAP_FOWNER) | bit(CAP_FSETID) |
                                      bit(CAP_KILL) | bit(CAP_SETGID) | bit(CAP_SETUID) | bit(CAP_NET_BIND_SERVICE);

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

SecurityPlan make_security_plan(SecurityLevel level) {
  static const int cap_last = read_cap_last();
  SecurityPlan plan;
  plan.level = level;
  plan.cap_last = cap_last;
  switch (level) {
    case SecurityLevel::Low:
      plan.keep_caps = kLowCaps;
      plan.no_new_privs = false;
      break;
    case SecurityLevel::Medium:
      plan.keep_caps = kMediumCaps;
      plan.no_new_privs = true;
      break;
    case SecurityLevel::High:
      plan.keep_caps = 0;
      plan.no_new_privs = true;
      plan.seccomp = high_seccomp_program();
      break;
  }
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
  if (plan.seccomp != nullptr &&
      ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, plan.seccomp) != 0) {
    *stage = "seccomp(SECCOMP_SET_MODE_FILTER)";
    return errno;
  }
  return 0;
}

const sock_fprog* high_seccomp_program() {
  static std::once_flag once;
  static std::vector<sock_filter> filter;
  static sock_fprog program{};
  static std::string failure;
  std::call_once(once, [] {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr) {
      failure = "seccomp_init failed";
      return;
    }
    const int deny = SCMP_ACT_ERRNO(EPERM);
    int rc = 0;
    // Mounting, namespaces beyond what the pod gave, kernel code loading,
    // tracing other processes, and kernel interfaces a test has no use for.
    for (const int nr :
         {SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(ptrace),
          SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(kexec_load),
          SCMP_SYS(kexec_file_load), SCMP_SYS(bpf), SCMP_SYS(init_module), SCMP_SYS(finit_module),
          SCMP_SYS(delete_module), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(setns),
          SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at), SCMP_SYS(keyctl), SCMP_SYS(add_key),
          SCMP_SYS(request_key), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd), SCMP_SYS(fsopen),
          SCMP_SYS(fsconfig), SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(open_tree), SCMP_SYS(move_mount),
          SCMP_SYS(mount_setattr), SCMP_SYS(acct), SCMP_SYS(iopl), SCMP_SYS(ioperm), SCMP_SYS(quotactl),
          SCMP_SYS(syslog), SCMP_SYS(vhangup), SCMP_SYS(lookup_dcookie), SCMP_SYS(settimeofday),
          SCMP_SYS(clock_settime), SCMP_SYS(adjtimex), SCMP_SYS(clock_adjtime)}) {
      rc = rc != 0 ? rc : seccomp_rule_add(ctx, deny, nr, 0);
    }
    // New user namespaces (the usual first step of a kernel exploit).
    rc = rc != 0 ? rc
                 : seccomp_rule_add(ctx, deny, SCMP_SYS(unshare), 1,
                                    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    rc = rc != 0 ? rc
                 : seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
                                    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes
    // libc fall back to clone(2), which the rule above checks.
    rc = rc != 0 ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc != 0) {
      failure = fmt::format("seccomp_rule_add failed: {}", -rc);
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
  });
  if (!failure.empty()) throw Error(ErrorKind::Backend, "cannot build the High seccomp filter: " + failure);
  return &program;
}

}  // namespace clnrm::sandbox
