#include "base/descriptor_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace clnrm {

ssize_t send_with_descriptors(int socket, const void* data, std::size_t size, const int* fds, std::size_t count,
                              int flags) noexcept {
  if (count > kMaxPassedDescriptors) {
    errno = EINVAL;
    return -1;
  }
  iovec iov{const_cast<void*>(data), size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(kMaxPassedDescriptors * sizeof(int))] = {};
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(count * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
  }
  ssize_t sent;
  while ((sent = ::sendmsg(socket, &msg, flags)) < 0 && errno == EINTR) {
  }
  return sent;
}

}  // namespace clnrm
