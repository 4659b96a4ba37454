// Side: runner (docs/SANDBOX.md, "Code by side"): the security plan made
// before any fork, from the isolation policy: capabilities to keep, the
// seccomp program (built once per policy), the setrlimit fallback. Its
// application in children is security.cpp.
#include "backend/sandbox/security.h"

#include "base/unique_fd.h"
#include "policy/seccomp_deny_rules.h"

#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <span>

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
  plan.denies_new_user_namespaces = policy.seccomp && policy.deny_new_user_namespaces;
  plan.seccomp = seccomp_program(denied, plan.denies_new_user_namespaces);
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

// The programs of use_prebuilt_seccomp_programs() (include/clnrm/sandbox.h).
// Never destroyed, like the cache below.
std::mutex& prebuilt_mutex() {
  static auto& mutex = *new std::mutex;
  return mutex;
}
std::span<const PrebuiltSeccompProgram>& prebuilt_programs() {
  static auto& programs = *new std::span<const PrebuiltSeccompProgram>;
  return programs;
}

// The prebuilt program for these rules, or null.
const PrebuiltSeccompProgram* prebuilt_for(const std::vector<std::string>& denied, bool deny_userns) {
  const std::string key = prebuilt_seccomp_key(denied);
  std::lock_guard lock(prebuilt_mutex());
  for (const PrebuiltSeccompProgram& p : prebuilt_programs()) {
    if (p.deny_new_user_namespaces == deny_userns && p.denied == key && p.filter != nullptr && p.length > 0) return &p;
  }
  return nullptr;
}

}  // namespace

std::string prebuilt_seccomp_key(const std::vector<std::string>& denied) {
  return fmt::format("{}", fmt::join(denied, ","));
}

std::vector<sock_filter> compile_seccomp_program(const std::vector<std::string>& denied, bool deny_userns) {
  SeccompProgram built;
  build_seccomp(built, denied, deny_userns);
  if (!built.failure.empty()) throw Error(ErrorKind::Backend, "cannot build the seccomp filter: " + built.failure);
  return std::move(built.filter);
}

const sock_fprog* seccomp_program(const std::vector<std::string>& denied, bool deny_userns) {
  // Built once per distinct policy (in practice: the one High list) and kept
  // for the process's life: pods point at it from forked children. Never
  // destroyed: a backend held in a static (a library user's, the tests')
  // may still be making a standby pod while exit() runs the destructors of
  // statics made after it, this one among them.
  static auto& mutex = *new std::mutex;
  static auto& cache = *new std::map<std::pair<std::vector<std::string>, bool>, std::unique_ptr<SeccompProgram>>;
  std::lock_guard lock(mutex);
  auto& slot = cache[{denied, deny_userns}];
  if (!slot) {
    auto built = std::make_unique<SeccompProgram>();
    if (const PrebuiltSeccompProgram* prebuilt = prebuilt_for(denied, deny_userns)) {
      // The executable's own, made by libseccomp from these rules when it
      // was built; the kernel copies a program it loads.
      built->program.len = prebuilt->length;
      built->program.filter = const_cast<sock_filter*>(prebuilt->filter);
    } else {
      build_seccomp(*built, denied, deny_userns);
      if (!built->failure.empty()) throw Error(ErrorKind::Backend, "cannot build the seccomp filter: " + built->failure);
    }
    slot = std::move(built);
  }
  return &slot->program;
}

}  // namespace clnrm::sandbox

namespace clnrm {

void use_prebuilt_seccomp_programs(std::span<const PrebuiltSeccompProgram> programs) noexcept {
  std::lock_guard lock(sandbox::prebuilt_mutex());
  sandbox::prebuilt_programs() = programs;
}

}  // namespace clnrm
