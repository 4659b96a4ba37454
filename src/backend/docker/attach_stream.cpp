#include "backend/docker/attach_stream.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backend/docker/docker_client.h"

namespace clnrm::docker {
namespace {

int connect_endpoint(const Endpoint& e) {
  if (!e.unix_socket.empty()) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (e.unix_socket.size() >= sizeof addr.sun_path) {
      ::close(fd);
      throw Error(ErrorKind::Config, "socket path too long: " + e.unix_socket);
    }
    std::memcpy(addr.sun_path, e.unix_socket.c_str(), e.unix_socket.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int err = errno;
      ::close(fd);
      errno = err;
      throw_errno("connect " + e.describe());
    }
    return fd;
  }
  std::string hostport = e.base_url.substr(e.base_url.find("://") + 3);
  const auto colon = hostport.rfind(':');
  const std::string host = hostport.substr(0, colon);
  const std::string port = colon == std::string::npos ? "2375" : hostport.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    throw Error(ErrorKind::Io, "cannot resolve " + e.describe());
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int rc = fd < 0 ? -1 : ::connect(fd, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (rc != 0) {
    if (fd >= 0) ::close(fd);
    throw Error(ErrorKind::Io, "cannot connect to " + e.describe());
  }
  // A step line is one small write answered by small frames: never let
  // Nagle hold it back waiting for an ACK.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

AttachStream::AttachStream(const Endpoint& endpoint, const std::string& path, std::string_view json_body) {
  fd_ = connect_endpoint(endpoint);
  try {
    write_all(fmt::format("POST {} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                          "Content-Length: {}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n{}",
                          path, json_body.size(), json_body));
    std::string head;
    for (;;) {
      auto chunk = read_some(std::chrono::seconds(30));
      if (!chunk) throw Error(ErrorKind::Timeout, "no answer to attach " + path, endpoint.describe());
      if (chunk->empty()) throw Error(ErrorKind::Backend, "engine closed the attach connection", endpoint.describe());
      head += *chunk;
      const auto end = head.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      pending_ = head.substr(end + 4);
      const int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
      if (status != 101 && status != 200) {
        // The error body follows the header (Content-Length bounded); show what we have.
        throw Error(ErrorKind::Backend,
                    fmt::format("cannot attach ({}): {}", status, engine_message(pending_)), endpoint.describe());
      }
      break;
    }
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

AttachStream::~AttachStream() {
  if (fd_ >= 0) ::close(fd_);
}

void AttachStream::write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write to attach stream");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<std::string> AttachStream::read_some(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return std::exchange(pending_, std::string());
  if (eof_) return std::string();
  pollfd p{fd_, POLLIN, 0};
  const int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (rc == 0) return std::nullopt;
  if (rc < 0) {
    if (errno == EINTR) return std::nullopt;
    throw_errno("poll attach stream");
  }
  char buf[65536];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return std::nullopt;
    throw_errno("read attach stream");
  }
  if (n == 0) eof_ = true;
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace clnrm::docker
