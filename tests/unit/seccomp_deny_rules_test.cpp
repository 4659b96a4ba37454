// The filter clnrm's deny rules make (src/policy/seccomp_deny_rules.c), run
// for every syscall number by a small interpreter of classic BPF: it denies
// exactly the policy's syscalls, and it is laid out as a binary tree, which
// keeps the kernel's per-number pass over it at load short (the load of
// every step: bench/peers/seccomp_load/seccomp_load.sh).
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include <clnrm/policy.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backend/sandbox/security.h"

namespace clnrm::sandbox {
namespace {

struct Verdict {
  std::uint32_t action = 0;
  int instructions = 0;  // executed on the way to it
};

// What `program` answers for a syscall on x86_64 with `arg0` (the other
// arguments 0): the subset of classic BPF libseccomp emits.
Verdict run(const std::vector<sock_filter>& program, int nr, std::uint64_t arg0 = 0) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = AUDIT_ARCH_X86_64;
  data.args[0] = arg0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
  std::uint32_t a = 0;
  Verdict v;
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& f = program[pc];
    ++v.instructions;
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS: {
        EXPECT_LE(f.k + 4, sizeof data);
        std::uint32_t w = 0;
        for (int i = 3; i >= 0; --i) w = (w << 8) | bytes[f.k + static_cast<unsigned>(i)];
        a = w;
        break;
      }
      case BPF_ALU | BPF_AND | BPF_K: a &= f.k; break;
      case BPF_JMP | BPF_JA: pc += f.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) != 0 ? f.jt : f.jf; break;
      case BPF_RET | BPF_K: v.action = f.k; return v;
      default: ADD_FAILURE() << "instruction code " << f.code << " at " << pc; return v;
    }
  }
  ADD_FAILURE() << "ran off the end of the program";
  return v;
}

std::vector<std::string> high_denied() { return make_isolation_policy(SecurityLevel::High).denied_syscalls; }

TEST(SeccompDenyRules, DenyExactlyThePolicysSyscalls) {
  const std::vector<std::string> denied = high_denied();
  const std::vector<sock_filter> program = compile_seccomp_program(denied, true);
  std::set<int> numbers;
  for (const std::string& name : denied) numbers.insert(seccomp_syscall_resolve_name(name.c_str()));
  for (int nr = 0; nr < 600; ++nr) {
    const std::uint32_t action = run(program, nr).action;
    if (numbers.count(nr) != 0) {
      EXPECT_EQ(action, SECCOMP_RET_ERRNO | EPERM) << "syscall " << nr;
    } else if (nr == SYS_clone3) {
      EXPECT_EQ(action, SECCOMP_RET_ERRNO | ENOSYS) << "clone3: libc falls back to clone";
    } else {
      EXPECT_EQ(action, SECCOMP_RET_ALLOW) << "syscall " << nr;
    }
  }
  // A new user namespace only: unshare and clone with CLONE_NEWUSER.
  EXPECT_EQ(run(program, SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS).action, SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(run(program, SYS_unshare, CLONE_NEWNS).action, SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(program, SYS_clone, CLONE_NEWUSER).action, SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(run(program, SYS_clone, SIGCHLD).action, SECCOMP_RET_ALLOW);
}

// The kernel runs a filter being loaded for every syscall number to find
// the ones it always allows; as a list, each allowed number went through
// all of level high's 40-odd comparisons (59 instructions in all).
TEST(SeccompDenyRules, AreLaidOutAsATree) {
  const std::vector<sock_filter> program = compile_seccomp_program(high_denied(), true);
  int longest = 0;
  for (int nr = 0; nr < 600; ++nr) longest = std::max(longest, run(program, nr).instructions);
  EXPECT_LE(longest, 20) << "a list's path is ~50 instructions long";
}

}  // namespace
}  // namespace clnrm::sandbox
