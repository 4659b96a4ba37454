#pragma once
// Side: shared tool (docs/SANDBOX.md, "Code by side"). The plan is made by
// the runner (make_security_plan, seccomp_program); apply_security_in_child
// and drop_bounding_set run in children inside the pod (async-signal-safe).
//
// The IsolationPolicy (include/clnrm/policy.h, the §7 table) made concrete for sandbox processes:
// capability bounding set, no_new_privs, a seccomp filter (the keyring calls
// at every level, the policy's whole list at High), and the
// setrlimit fallback for limits cgroups could not take.
//
//   low    Docker's default capability set (no CAP_SYS_ADMIN: a root step
//          must not be able to remount its read-only view writable).
//   medium a minimal set (chown, dac_override, fowner, fsetid, kill, setgid,
//          setuid, net_bind_service) + no_new_privs.
//   high   no capabilities at all (CapEff 0) + no_new_privs + seccomp filter
//          denying mount, ptrace, kexec, bpf, modules, new user namespaces...

#include <clnrm/policy.h>
#include <clnrm/spec.h>

#include <linux/filter.h>
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

namespace clnrm::sandbox {

struct RlimitSetting {
  int resource = 0;
  rlimit value{};
};

struct SecurityPlan {
  SecurityLevel level = SecurityLevel::Medium;
  std::uint64_t keep_caps = 0;  // bit n = capability n stays in the bounding set
  int cap_last = 40;            // /proc/sys/kernel/cap_last_cap
  bool no_new_privs = true;
  const sock_fprog* seccomp = nullptr;  // null: no filter
  std::vector<std::string> denied_syscalls;  // what the filter denies (for the run's report)
  bool denies_new_user_namespaces = false;    // ... and new user namespaces
  std::vector<RlimitSetting> rlimits;
};

SecurityPlan make_security_plan(const IsolationPolicy& policy);

// Capability names ("chown", ...) to a bit set; throws on an unknown name.
std::uint64_t capability_bits(const std::vector<std::string>& names);

// Human-readable capability list for enforced_limits() ("none", "chown,kill,...").
std::string describe_caps(std::uint64_t caps);

// Runs in a forked child (async-signal-safe: syscalls only). Returns 0, or an
// errno with *stage set to a static string naming what failed. With
// `bounding_set_dropped`, the (inherited) bounding set is already reduced.
int apply_security_in_child(const SecurityPlan& plan, const char** stage, bool bounding_set_dropped = false) noexcept;
// Makes the calling process `uid`:`gid` (ids inside its user namespace; the
// only group is `gid`) and keeps its capabilities effective, so the security
// plan applies after it as for root; an execve() then leaves a non-root
// command none, as Docker's USER does. Before apply_security_in_child
// (async-signal-safe). 0, or an errno with *stage set.
int switch_identity(int uid, int gid, const char** stage) noexcept;
// Reduces the bounding set to plan.keep_caps. Pod init does it once for all
// the children of its fork server; it keeps its own effective capabilities.
int drop_bounding_set(const SecurityPlan& plan, const char** stage) noexcept;

// The seccomp program denying `denied` (EPERM) and, with `deny_userns`, new
// user namespaces; once per list: a prebuilt one for these rules
// (use_prebuilt_seccomp_programs, include/clnrm/sandbox.h), or built with
// libseccomp (throws on failure).
const sock_fprog* seccomp_program(const std::vector<std::string>& denied, bool deny_userns);
// The same rules compiled with libseccomp now, never prebuilt (the build's
// generator, tools/seccomp_prebuilt.cpp, and its test).
std::vector<sock_filter> compile_seccomp_program(const std::vector<std::string>& denied, bool deny_userns);
// `denied` as PrebuiltSeccompProgram::denied spells it (include/clnrm/sandbox.h):
// the names comma-separated, in order. The generator writes it, the lookup
// matches it.
std::string prebuilt_seccomp_key(const std::vector<std::string>& denied);

}  // namespace clnrm::sandbox
