#pragma once
// Bytes and open descriptors in one message over a unix socket (SCM_RIGHTS):
// the one sender of the sandbox's fork protocol
// (src/backend/sandbox/fork_protocol.cpp) and of the docker kept agent's
// hand-over (src/backend/docker/kept_agent.cpp), and the sandbox's one
// receiver. Async-signal-safe (pod init's fork server uses both): no
// allocation, sendmsg and recvmsg only.

#include <sys/types.h>

#include <cstddef>

namespace clnrm {

inline constexpr std::size_t kMaxPassedDescriptors = 4;

// sendmsg(2) of `size` bytes at `data` with `count` descriptors (none: no
// control message), retried on EINTR; what sendmsg returned. -1 with errno
// EINVAL for more than kMaxPassedDescriptors.
ssize_t send_with_descriptors(int socket, const void* data, std::size_t size, const int* fds, std::size_t count,
                              int flags) noexcept;

// recvmsg(2) of up to `size` bytes into `data`, close-on-exec, retried on
// EINTR; the descriptors it carried go to `fds` (*count of them, at most
// `max`; any beyond are closed). *truncated when the bytes or the
// descriptors did not fit. What recvmsg returned (0: the peer closed).
ssize_t receive_with_descriptors(int socket, void* data, std::size_t size, int* fds, std::size_t max,
                                 std::size_t* count, bool* truncated) noexcept;

}  // namespace clnrm
