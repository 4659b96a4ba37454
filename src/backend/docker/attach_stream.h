#pragma once
// A hijacked (upgraded) connection to POST /containers/{id}/attach (or
// /exec/{id}/start): after the HTTP 101 answer the socket carries the
// container's (exec's) stdin one way and its multiplexed stdout/stderr the
// other. libcurl cannot hand back an upgraded
// socket, so this speaks the few lines of HTTP/1.1 itself.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "backend/docker/http_transport.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

class AttachStream {
 public:
  // Connects and upgrades. `path` is the versioned attach path with query,
  // `json_body` the request's body (exec start wants one).
  // Throws Error(Backend) with the engine's message when it refuses.
  AttachStream(const Endpoint& endpoint, const std::string& path, std::string_view json_body = {});
  // A socket already past any HTTP that carries the same streams (a kept
  // step agent's connection, kept_agent.h).
  explicit AttachStream(UniqueFd connected) noexcept : fd_(connected.release()) {}
  AttachStream(const AttachStream&) = delete;
  AttachStream& operator=(const AttachStream&) = delete;
  ~AttachStream();

  void write_all(std::string_view data);
  // Bytes received (possibly fewer than asked), "" on EOF, nullopt when
  // nothing arrived within `timeout`.
  std::optional<std::string> read_some(std::chrono::milliseconds timeout);
  bool eof() const noexcept { return eof_; }

 private:
  int fd_ = -1;
  std::string pending_;  // bytes read past the HTTP header
  bool eof_ = false;
};

}  // namespace clnrm::docker
