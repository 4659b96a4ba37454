// HTTP readiness: GET the URL and compare the status code. Over the fd from
// Pod::connect_tcp, sent by the one HTTP client (src/base/http_client.h);
// `wget -S` inside the pod when the backend cannot connect from outside or
// the URL names [::1].
#include <clnrm/loopback.h>
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "base/http_client.h"

namespace clnrm {
namespace {

// One GET over the socket the pod connected, by the one HTTP client (as
// expect_http does: src/assert/http_check.cpp); only the status matters.
ProbeOutcome http_over_fd(int fd, const std::string& url, int expected, Duration probe_timeout,
                          const CancelToken& cancel) {
  http::Request request;
  request.url = url;
  request.headers = {"User-Agent: clnrm-wait"};
  request.connect_timeout = probe_timeout;
  request.timeout = probe_timeout;
  request.max_body = 4096;
  bool handed_over = false;  // then libcurl closes it
  request.open_socket = [fd, &handed_over] {
    handed_over = true;
    return fd;
  };
  // Closes the socket when libcurl never took it (it failed before connecting).
  const auto close_unless_handed_over = [&] {
    if (!handed_over) ::close(fd);
  };
  http::Response response;
  try {
    response = http::send(request, nullptr, &cancel);
  } catch (const http::TransferError& e) {
    close_unless_handed_over();
    return {false, e.timed_out() ? "timed out waiting for the HTTP status line"
                                 : fmt::format("no HTTP response ({})", e.what())};
  } catch (...) {
    close_unless_handed_over();
    throw;
  }
  close_unless_handed_over();
  if (response.status == expected) return {true, {}};
  if (response.status <= 0) return {false, "no HTTP status line in the response"};
  return {false, fmt::format("HTTP {} (want {})", response.status, expected)};
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
    return http_over_fd(*fd, url, expected_status, probe_timeout, cancel);
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
