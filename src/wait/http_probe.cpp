// HTTP readiness: GET the URL and compare the status code. Over the fd from
// Pod::connect_tcp to the URL's own address (127.0.0.2 is not 127.0.0.1: a
// server bound to one does not answer on the other), sent by the one HTTP
// client (src/base/http_client.h); `wget -S` inside the pod when the backend
// cannot connect from outside or the URL names [::1].
#include <clnrm/loopback.h>
#include <clnrm/wait.h>
#include <fmt/format.h>

#include <chrono>

#include "base/http_client.h"

namespace clnrm {
namespace {

// How the direct probe went: the status, or why there is none.
enum class Reach { Answered, NothingListens, NotFromOutside };

// One GET over a socket the pod connects when libcurl asks for it, by the one
// HTTP client (as expect_http does: src/assert/http_check.cpp); only the
// status matters. Connecting inside Request::open_socket leaves the socket
// to libcurl from its birth (it closes it), so nothing here owns an fd.
// NotFromOutside: this backend cannot connect from the runner (the caller
// asks wget inside the pod instead).
Reach http_over_pod_socket(Pod& pod, LoopbackIpv4 address, std::uint16_t port, const std::string& url,
                           int expected,
                           Duration probe_timeout, const CancelToken& cancel, ProbeOutcome& out) {
  http::Request request;
  request.url = url;
  request.headers = {"User-Agent: clnrm-wait"};
  request.connect_timeout = probe_timeout;
  request.timeout = probe_timeout;
  request.max_body = 4096;
  Reach reach = Reach::Answered;
  request.open_socket = [&]() -> int {
    const std::optional<int> fd = pod.connect_tcp(address, port);
    if (!fd) reach = Reach::NotFromOutside;
    else if (*fd < 0) reach = Reach::NothingListens;
    return fd ? *fd : -1;
  };
  http::Response response;
  try {
    response = http::send(request, nullptr, &cancel);
  } catch (const http::TransferError& e) {
    if (reach != Reach::Answered) return reach;
    out = {false, e.timed_out() ? "timed out waiting for the HTTP status line"
                                : fmt::format("no HTTP response ({})", e.what())};
    return reach;
  }
  if (response.status == expected) out = {true, {}};
  else if (response.status <= 0) out = {false, "no HTTP status line in the response"};
  else out = {false, fmt::format("HTTP {} (want {})", response.status, expected)};
  return reach;
}

}  // namespace

ProbeOutcome probe_http(Pod& pod, const std::string& url, int expected_status,
                        const CancelToken& cancel, Duration probe_timeout) {
  const Parsed<LoopbackHttpUrl> target = parse_loopback_http_url(url);
  if (!target) return {false, "wait_for http: " + target.error()};
  // Pod::connect_tcp speaks IPv4; an IPv6 loopback URL is fetched by wget
  // inside the pod, which resolves [::1] itself.
  if (const std::optional<LoopbackIpv4> address = target->ipv4()) {
    ProbeOutcome direct;
    switch (http_over_pod_socket(pod, *address, target->port, url, expected_status, probe_timeout, cancel,
                                 direct)) {
      case Reach::Answered: return direct;
      case Reach::NothingListens:
        return {false, fmt::format("nothing listens on {}:{}", address->to_string(), target->port)};
      case Reach::NotFromOutside: break;
    }
  }
  ProcessSpec probe;
  probe.name = "wait-http";
  probe.argv = {"wget", "-q", "-S", "-O-", "-T", "2", url};
  probe.timeout = probe_timeout;
  probe.output_limit = 8192;
  ExecResult r = pod.exec(probe, cancel);
  // wget -S prints the response headers on stderr; it exits non-zero on 4xx/5xx.
  const Parsed<int> status = parse_http_status(r.stderr_data);
  if (status && *status == expected_status) return {true, {}};
  if (!status)
    return {false, fmt::format("`wget {}` in the pod got no HTTP response ({}; exit {})", url, status.error(),
                               r.exit_code)};
  return {false, fmt::format("HTTP {} (want {})", *status, expected_status)};
}

}  // namespace clnrm
