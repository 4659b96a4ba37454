#pragma once
// Readiness: blocks until a started service answers the way its `wait_for`
// (or `health_check`) says, on any backend. Probes go through the Pod /
// ServiceInstance interface only: a TCP connect from the runner when the
// backend can (Pod::connect_tcp), else an exec probe inside the pod.

#include <clnrm/parsed.h>
#include <clnrm/backend.h>
#include <clnrm/cancel.h>
#include <clnrm/http_status.h>  // parse_http_status, which the HTTP probe reads wget with
#include <clnrm/spec.h>

#include <chrono>
#include <optional>
#include <string>

namespace clnrm {

// What one probe saw. `detail` says why it is not ready yet ("connection
// refused on 127.0.0.1:6379", "HTTP 503"), used in the timeout message.
struct ProbeOutcome {
  bool ready = false;
  std::string detail;
};

// One probe of `wait` against `service` in `pod`, each bounded by `probe_timeout`.
// `instance` may be null (plugins that run nothing); then probes that need a
// service process (log) report not ready.
ProbeOutcome probe_port(Pod& pod, std::uint16_t port, const CancelToken& cancel,
                        Duration probe_timeout);
ProbeOutcome probe_log(ServiceInstance* instance, const Pattern& pattern, int occurrences);
ProbeOutcome probe_exec(Pod& pod, ServiceInstance* instance, const std::vector<std::string>& argv,
                        const CancelToken& cancel, Duration probe_timeout);
ProbeOutcome probe_http(Pod& pod, const std::string& url, int expected_status,
                        const CancelToken& cancel, Duration probe_timeout);

// The in-pod command that exits 0 when something listens on `port` (used
// when Pod::connect_tcp cannot connect from outside, e.g. Docker).
std::vector<std::string> port_probe_command(std::uint16_t port);

// Counts non-overlapping matches of `pattern` in `text` (stops at `limit`).
int count_matches(const Pattern& pattern, std::string_view text, int limit);


// Polls until ready. The interval starts at wait_for.interval and doubles up
// to 1 s. Gives up when the service process exits (Error Backend), when
// wait_for.timeout or `deadline` passes (Error Timeout) or when `cancel` is
// set (Error Cancelled). Error messages carry the service's exit code and the
// last lines of its log. Returns immediately when nothing is to be waited for.
void wait_until_ready(Pod& pod, ServiceInstance* instance, const ServiceSpec& service,
                      const CancelToken& cancel,
                      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

// "port 6379", "log /Ready/ x2", "exec [pg_isready]", "http http://...": for messages.
std::string describe_wait(const ServiceSpec& service);

}  // namespace clnrm
