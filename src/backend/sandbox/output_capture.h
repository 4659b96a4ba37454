#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// The runner side of a running step: feed stdin, read stdout and stderr
// separately (poll(), no threads), watch the process through its pidfd, and
// enforce the timeout and the CancelToken by SIGKILL of the step's PID
// namespace init (which takes its whole tree with it).

#include <clnrm/cancel.h>

#include <chrono>
#include <optional>
#include <string>

namespace clnrm::sandbox {

struct CaptureStreams {
  int stdin_fd = -1;             // non-blocking write end, or -1 (closed here when done)
  const std::string* stdin_data = nullptr;
  int stdout_fd = -1;            // read ends
  int stderr_fd = -1;
  std::size_t limit = 16u << 20;  // bytes kept per stream; the rest is read and dropped
};

enum class CaptureEnding { Exited, TimedOut, Cancelled };

// Returns once `done_fd` is readable or hung up (the pidfd: the process has
// exited, it is not reaped here; or a status pipe) and the output is drained.
// `kill_signal` is sent to `pidfd` on timeout/cancel; with `escalate`, SIGKILL
// follows when the step has not ended a while later.
CaptureEnding capture_until_exit(int pidfd, int done_fd, const CaptureStreams& streams, std::string& out,
                                 std::string& err,
                                 std::optional<std::chrono::steady_clock::time_point> deadline,
                                 const CancelToken* cancel, int kill_signal, bool escalate);

}  // namespace clnrm::sandbox
