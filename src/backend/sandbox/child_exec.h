#pragma once
// Side: shared tool (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. Async-signal-safe pieces shared by every child that
// ends in execve(): the runner-forked path (spawn_children.cpp) and the pod's fork
// server (pod_server.cpp, step_init.cpp).

#include <sys/types.h>

#include <cstddef>

#include "base/write_all.h"  // write_all, for these children too

namespace clnrm::sandbox {

// An ExecPlan as plain pointers (it may live in a buffer received over a
// socket, where there are no std::strings).
struct RawExec {
  const char* const* candidates = nullptr;  // null-terminated
  char* const* argv = nullptr;              // null-terminated
  char* const* envp = nullptr;              // null-terminated
  const char* workdir = "";
  const char* rootfs = "";                  // "" = the pod's root
  bool rootfs_writable = false;             // an image root (enter_rootfs)
  // An image's User: the ids (inside the pod) the command runs as; -1: the
  // pod's root, as every other step.
  int uid = -1;
  int gid = -1;
  const char* not_found_message = "";
  const char* denied_message = "";
};

void write_str(int fd, const char* s) noexcept;
// "clnrm: <what>: <strerror>\n" on fd 2.
void write_failure(const char* what, int error) noexcept;

// clone(2) without a stack of its own: the child returns 0 here and goes on
// with its copy of this stack, like fork() (no CLONE_VM). `parent_tid` is the
// CLONE_PARENT_SETTID / CLONE_PIDFD slot. Returns the child's pid or -1/errno.
pid_t clone_in_place(int flags, void* parent_tid = nullptr) noexcept;

// Every signal back to its default disposition (except KILL/STOP).
void reset_signal_dispositions() noexcept;

// Resets signals to their defaults (all of them, or only the listed ones
// when the caller knows the rest already are) and unblocks all, then tries
// each candidate; on failure writes a shell-like message to fd 2 and
// _exit()s 127 (not found) or 126 (not executable). Every step and service
// runs with umask kDeterministicUmask (include/clnrm/backend.h), never
// the runner's: files they create have the same mode on every machine.
[[noreturn]] void exec_command(const RawExec& exec, const int* only_signals = nullptr,
                               int only_count = 0) noexcept;

}  // namespace clnrm::sandbox
