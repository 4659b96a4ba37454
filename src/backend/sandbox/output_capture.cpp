// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/output_capture.h"


#include <clnrm/error.h>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace clnrm::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

// How often a running step looks at the CancelToken (an atomic flag with no
// descriptor to poll). Only long-running steps ever wake up for it.
constexpr std::chrono::milliseconds kCancelCheck{20};
// After the step's init is gone every writer is dead; a descriptor copy held
// for a moment by another thread's fork-in-progress is all that can delay EOF.
constexpr std::chrono::milliseconds kDrainBound{2000};
constexpr std::chrono::milliseconds kEscalateAfter{2000};

// One read per wake-up (the read ends are blocking, and poll said there is
// data or EOF); returns false on EOF or error.
bool read_some(int fd, std::string& into, std::size_t limit) {
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < limit) into.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), limit - into.size()));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace

CaptureEnding capture_until_exit(int pidfd, int done_fd, const CaptureStreams& streams, std::string& out,
                                 std::string& err,
                                 std::optional<Clock::time_point> deadline, const CancelToken* cancel,
                                 int kill_signal, bool escalate) {
  int in_fd = streams.stdin_fd;
  std::size_t in_offset = 0;
  int out_fd = streams.stdout_fd;
  int err_fd = streams.stderr_fd;
  bool exited = false;
  bool killed = false;
  CaptureEnding ending = CaptureEnding::Exited;
  std::optional<Clock::time_point> drain_deadline;

  auto close_stdin = [&] {
    if (in_fd >= 0) ::close(in_fd);
    in_fd = -1;
  };
  if (in_fd >= 0 && (streams.stdin_data == nullptr || streams.stdin_data->empty())) close_stdin();

  // SIGKILL of a step's PID namespace init kills its whole tree. A
  // runner-forked step has a supervisor in between: its kill-tree signal makes
  // it do that and report; SIGKILL of the supervisor is the fallback.
  bool escalate_pending = false;
  Clock::time_point escalate_at{};
  auto kill_tree = [&](CaptureEnding why) {
    if (killed) return;
    killed = true;
    ending = why;
    ::syscall(SYS_pidfd_send_signal, pidfd, kill_signal, nullptr, 0);
    escalate_at = Clock::now() + kEscalateAfter;
    escalate_pending = escalate;
  };

  while (!exited || out_fd >= 0 || err_fd >= 0) {
    pollfd fds[4];
    int count = 0;
    int in_slot = -1, out_slot = -1, err_slot = -1, pid_slot = -1;
    if (in_fd >= 0 && !exited) {
      in_slot = count;
      fds[count++] = {in_fd, POLLOUT, 0};
    }
    if (out_fd >= 0) {
      out_slot = count;
      fds[count++] = {out_fd, POLLIN, 0};
    }
    if (err_fd >= 0) {
      err_slot = count;
      fds[count++] = {err_fd, POLLIN, 0};
    }
    if (!exited) {
      pid_slot = count;
      fds[count++] = {done_fd, POLLIN, 0};
    }

    int timeout_ms = -1;
    const auto now = Clock::now();
    auto limit_to = [&](Clock::time_point until) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
      const int bounded = static_cast<int>(std::clamp<long long>(ms, 0, 1 << 30));
      timeout_ms = timeout_ms < 0 ? bounded : std::min(timeout_ms, bounded);
    };
    if (!exited && !killed) {
      if (deadline) limit_to(*deadline);
      if (cancel != nullptr) limit_to(now + kCancelCheck);
    }
    if (drain_deadline) limit_to(*drain_deadline);
    if (escalate_pending && !exited) limit_to(escalate_at);

    const int ready = ::poll(fds, static_cast<nfds_t>(count), timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_errno("sandbox: poll on step output");
    }
    if (in_slot >= 0 && (fds[in_slot].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const std::string& data = *streams.stdin_data;
      const ssize_t n = ::write(in_fd, data.data() + in_offset, data.size() - in_offset);
      if (n > 0) in_offset += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_offset >= data.size()) close_stdin();
    }
    if (out_slot >= 0 && (fds[out_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!read_some(out_fd, out, streams.limit)) out_fd = -1;
    }
    if (err_slot >= 0 && (fds[err_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!read_some(err_fd, err, streams.limit)) err_fd = -1;
    }
    if (pid_slot >= 0 && (fds[pid_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      exited = true;
      close_stdin();
      drain_deadline = Clock::now() + kDrainBound;
    }
    if (drain_deadline && Clock::now() >= *drain_deadline) break;
    if (escalate_pending && !exited && Clock::now() >= escalate_at) {
      ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
      escalate_pending = false;
    }
    if (!exited && !killed) {
      if (cancel != nullptr && cancel->cancelled()) {
        kill_tree(CaptureEnding::Cancelled);
      } else if (deadline && Clock::now() >= *deadline) {
        kill_tree(CaptureEnding::TimedOut);
      }
    }
  }
  close_stdin();
  return ending;
}

}  // namespace clnrm::sandbox
