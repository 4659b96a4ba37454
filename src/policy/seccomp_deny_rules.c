#define _GNU_SOURCE /* CLONE_NEWUSER */
#include "policy/seccomp_deny_rules.h"

#include <errno.h>
#include <sched.h>

int clnrm_add_seccomp_deny_rules(scmp_filter_ctx ctx, const char* const* names, size_t count,
                                 int deny_new_userns, const char** unknown_name) {
  const unsigned int deny = SCMP_ACT_ERRNO(EPERM);
  /* The syscall numbers as a binary tree, not a list. When a filter is
   * loaded the kernel runs it for every syscall number to find the ones it
   * always allows (its seccomp cache), so the load costs in proportion to
   * the path through it: 155 -> 116 us for level high's 59 instructions on
   * a VM (docs/SANDBOX.md, "The seccomp filter's load"), paid by every
   * step. */
  const int optimized = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (optimized != 0) return optimized;
  for (size_t i = 0; i < count; ++i) {
    const int nr = seccomp_syscall_resolve_name(names[i]);
    if (nr == __NR_SCMP_ERROR) {
      if (unknown_name) *unknown_name = names[i];
      return -EINVAL;
    }
    const int rc = seccomp_rule_add(ctx, deny, nr, 0);
    if (rc != 0) return rc;
  }
  if (!deny_new_userns) return 0;
  /* New user namespaces: the usual first step of a kernel exploit. */
  int rc = seccomp_rule_add(ctx, deny, SCMP_SYS(unshare), 1,
                            SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  return rc;
}
