// Side: shared tool (docs/SANDBOX.md, "Code by side"): async-signal-safe
// pieces of every child that ends in execve() (child_exec.h).
#include "backend/sandbox/child_exec.h"

#include <clnrm/backend.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm::sandbox {

void write_str(int fd, const char* s) noexcept { write_all(fd, s, std::strlen(s)); }

void write_failure(const char* what, int error) noexcept {
  write_str(2, "clnrm: ");
  write_str(2, what);
  if (error != 0) {
    write_str(2, ": ");
    const char* desc = ::strerrordesc_np(error);
    write_str(2, desc != nullptr ? desc : "unknown error");
  }
  write_str(2, "\n");
}

pid_t clone_in_place(int flags, void* parent_tid) noexcept {
  return static_cast<pid_t>(::syscall(SYS_clone, flags, nullptr, parent_tid, nullptr, nullptr));
}

void reset_signal_dispositions() noexcept {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // EINVAL for libc-internal signals: fine
  }
}

void exec_command(const RawExec& exec, const int* only_signals, int only_count) noexcept {
  if (only_signals == nullptr) {
    reset_signal_dispositions();
  } else {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int i = 0; i < only_count; ++i) ::sigaction(only_signals[i], &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::umask(kDeterministicUmask);

  bool denied = false;
  int other_error = 0;
  for (const char* const* c = exec.candidates; *c != nullptr; ++c) {
    ::execve(*c, exec.argv, exec.envp);
    if (errno == EACCES) {
      denied = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      other_error = errno;
    }
  }
  if (other_error != 0) {
    write_failure(exec.argv[0], other_error);
    ::_exit(126);
  }
  if (denied) {
    write_str(2, exec.denied_message);
    ::_exit(126);
  }
  write_str(2, exec.not_found_message);
  ::_exit(127);
}

}  // namespace clnrm::sandbox
