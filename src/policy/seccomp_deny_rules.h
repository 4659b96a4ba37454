#ifndef CLNRM_POLICY_SECCOMP_DENY_RULES_H
#define CLNRM_POLICY_SECCOMP_DENY_RULES_H
/* clnrm's seccomp deny rules (security level high), in C so that both the
 * library (the sandbox backend loads them in forked children) and the static
 * clnrm-seccomp-exec helper (which loads them inside Docker/Podman
 * containers) build the very same filter from the policy's list. */

#include <seccomp.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Adds to `ctx` (made with seccomp_init(SCMP_ACT_ALLOW)) a rule failing each
 * syscall of `names` with EPERM and, with `deny_new_userns`, unshare/clone of
 * a new user namespace with EPERM and clone3 with ENOSYS (its flags are in
 * memory a filter cannot read; ENOSYS makes libc fall back to clone(2)).
 * Returns 0, or a negative errno from libseccomp; an unknown syscall name
 * returns -EINVAL with *unknown_name pointing at it. Also lays the filter
 * out as a binary tree of syscall numbers (SCMP_FLTATR_CTL_OPTIMIZE 2). */
int clnrm_add_seccomp_deny_rules(scmp_filter_ctx ctx, const char* const* names, size_t count,
                                 int deny_new_userns, const char** unknown_name);

#ifdef __cplusplus
}
#endif

#endif
