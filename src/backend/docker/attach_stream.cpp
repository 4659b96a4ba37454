#include "backend/docker/attach_stream.h"

#include <clnrm/error.h>
#include <clnrm/http_status.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"

namespace clnrm::docker {

AttachStream::AttachStream(const Endpoint& endpoint, const std::string& path, std::string_view json_body) {
  fd_ = connect_engine_socket(endpoint).release();
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
      const Parsed<int> status = parse_http_status(head.substr(0, head.find("\r\n")));
      if (!status)
        throw Error(ErrorKind::Backend, fmt::format("cannot attach: {} in the engine's answer", status.error()),
                    endpoint.describe());
      if (*status != 101 && *status != 200) {
        // The error body follows the header (Content-Length bounded); show what we have.
        throw Error(ErrorKind::Backend,
                    fmt::format("cannot attach ({}): {}", *status, engine_message(pending_)), endpoint.describe());
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
