// Side: shared tool (docs/SANDBOX.md, "Code by side"): the security plan
// applied in children inside the pod, async-signal-safe (security.h); the
// runner makes the plan in security_plan.cpp.
#include "backend/sandbox/security.h"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace clnrm::sandbox {
namespace {

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

}  // namespace

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

}  // namespace clnrm::sandbox
