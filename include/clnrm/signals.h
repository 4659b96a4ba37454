#pragma once
// SIGINT/SIGTERM -> cancellation. The handler only touches lock-free
// atomics and writes (both async-signal-safe). First signal: the
// CancelToken is set, the message is written to stderr, running steps are
// killed and pods torn down by the runner, and the CLI exits 130. Second
// signal: the process exits 130 at once, after the forced-exit hooks ran
// (kill what is still alive) when there are any: they run on a watcher
// thread the first hook starts. A third one exits straight from the handler.

#include <clnrm/cancel.h>

#include <functional>

namespace clnrm {

class SignalCancellation {
 public:
  // Installs the handlers; `token` must outlive this object. Only one may
  // exist at a time (signal dispositions are process-wide).
  explicit SignalCancellation(CancelToken& token, bool announce = true);
  ~SignalCancellation();  // restores the previous handlers
  SignalCancellation(const SignalCancellation&) = delete;
  SignalCancellation& operator=(const SignalCancellation&) = delete;

  // The first signal received (SIGINT/SIGTERM), 0 when none.
  int signal_received() const noexcept;
};

// Until a SignalCancellation exists, SIGINT/SIGTERM end the process with
// exit code 130 (nothing is running yet that needs tearing down; pod inits
// die with the process). Called first thing in main(): a signal in the
// moment before the run installs its handlers must not end the process as
// "killed by SIGTERM" (143).
void exit_130_on_early_signals();

// Code that must act before a forced exit (a backend killing its process
// trees, say) registers here. Hooks run on the watcher thread (started by
// the first hook, kept until the process ends). Returns an id
// for remove_forced_exit_hook.
int add_forced_exit_hook(std::function<void()> hook);
void remove_forced_exit_hook(int id);

}  // namespace clnrm
