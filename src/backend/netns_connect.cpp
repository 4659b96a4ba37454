// A TCP connection from the runner into a pod's network namespace. setns of a
// network namespace is per thread, so a short-lived thread enters the pod's
// network, creates and connects the socket, and leaves; the socket stays bound
// to the pod's namespace and works from any thread. Both backends use it: the
// sandbox with its pod's namespace, docker with the pod anchor's.
#include "backend/netns_connect.h"

#include "base/unique_fd.h"

#include <clnrm/error.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace clnrm {
namespace {

int connect_here(LoopbackIpv4 address, std::uint16_t port, std::chrono::milliseconds timeout, int& error) {
  UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock.valid()) {
    error = errno;
    return -2;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(address.host_order);
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return -1;
    pollfd pfd{sock.get(), POLLOUT, 0};
    int ready;
    while ((ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()))) < 0 && errno == EINTR) {
    }
    if (ready <= 0) return -1;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) return -1;
  }
  const int flags = ::fcntl(sock.get(), F_GETFL);
  ::fcntl(sock.get(), F_SETFL, flags & ~O_NONBLOCK);
  return sock.release();
}

}  // namespace

int connect_tcp_in(int netns_fd, LoopbackIpv4 address, std::uint16_t port, std::chrono::milliseconds timeout) {
  int result = -1;
  int error = 0;
  bool setns_failed = false;
  if (netns_fd < 0) {
    result = connect_here(address, port, timeout, error);
  } else {
    std::thread([&] {
      if (::setns(netns_fd, CLONE_NEWNET) != 0) {
        setns_failed = true;
        error = errno;
        return;
      }
      result = connect_here(address, port, timeout, error);
    }).join();
  }
  if (setns_failed) {
    errno = error;
    throw_errno("entering the pod's network namespace");
  }
  if (result == -2) {
    errno = error;
    throw_errno("socket");
  }
  return result;
}

}  // namespace clnrm
