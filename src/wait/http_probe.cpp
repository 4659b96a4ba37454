// HTTP readiness: GET the URL and compare the status code. Over the fd from
// Pod::connect_tcp with a minimal HTTP/1.0 request (no client library needed
// for one status line); `wget -S` inside the pod when the backend cannot
// connect from outside or the URL names [::1].
#include <clnrm/loopback.h>
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace clnrm {
namespace {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

ProbeOutcome http_over_fd(int fd, const LoopbackHttpUrl& t, int expected, Duration probe_timeout) {
  FdCloser closer(fd);
  const auto deadline = std::chrono::steady_clock::now() + probe_timeout;
  const std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: clnrm-wait\r\nConnection: close\r\n\r\n",
      t.path, t.authority());
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_fd(fd, POLLOUT, deadline)) return {false, "timed out sending the HTTP request"};
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {false, fmt::format("sending the HTTP request failed: errno {}", errno)};
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[512];
  while (response.find('\n') == std::string::npos && response.size() < 4096) {
    if (!wait_fd(fd, POLLIN, deadline))
      return {false, "timed out waiting for the HTTP status line"};
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  const int status = parse_http_status(response);
  if (status == expected) return {true, {}};
  if (status < 0) return {false, "no HTTP status line in the response"};
  return {false, fmt::format("HTTP {} (want {})", status, expected)};
}

}  // namespace

ProbeOutcome probe_http(Pod& pod, const std::string& url, int expected_status,
                        const CancelToken& cancel, Duration probe_timeout) {
  const Parsed<LoopbackHttpUrl> target = parse_loopback_http_url(url);
  if (!target) return {false, "wait_for http: " + target.error()};
  // Pod::connect_tcp reaches 127.0.0.1 only; an IPv6 loopback URL is fetched
  // by wget inside the pod, which resolves [::1] itself.
  std::optional<int> fd;
  if (!target->ipv6()) fd = pod.connect_tcp(target->port);
  if (fd) {
    if (*fd < 0) return {false, fmt::format("nothing listens on 127.0.0.1:{}", target->port)};
    return http_over_fd(*fd, *target, expected_status, probe_timeout);
  }
  ProcessSpec probe;
  probe.name = "wait-http";
  probe.argv = {"wget", "-q", "-S", "-O-", "-T", "2", url};
  probe.timeout = probe_timeout;
  probe.output_limit = 8192;
  ExecResult r = pod.exec(probe, cancel);
  // wget -S prints the response headers on stderr; it exits non-zero on 4xx/5xx.
  const int status = parse_http_status(r.stderr_data);
  if (status == expected_status) return {true, {}};
  if (status < 0)
    return {false,
            fmt::format("`wget {}` in the pod got no HTTP response (exit {})", url, r.exit_code)};
  return {false, fmt::format("HTTP {} (want {})", status, expected_status)};
}

}  // namespace clnrm
