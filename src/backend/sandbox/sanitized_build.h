#pragma once
// Side: shared tool (docs/SANDBOX.md, "Code by side").
//
// True in an ASan or TSan build. Their shadow memory cannot follow a child
// that shares the runner's address space (CLONE_VM) on a stack of its own:
// what such a child poisons stays poisoned for the runner, and the runner's
// stack bookkeeping does not know the child's stack. Sanitized builds take
// the copying (fork) variant of those clones instead.

namespace clnrm::sandbox {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace clnrm::sandbox
