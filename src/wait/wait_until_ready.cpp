// The readiness loop: probe, back off (x2, capped at 1 s), give up on exit,
// timeout or cancel with a message that shows what the service said.
#include <clnrm/error.h>
#include <clnrm/output_tail.h>
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <thread>

namespace clnrm {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Duration kMaxInterval{1'000};
constexpr Duration kMaxProbeTimeout{5'000};
constexpr Duration kCancelSlice{20};

WaitFor::Kind effective_kind(const ServiceSpec& s) {
  if (s.wait_for.kind == WaitFor::Kind::None && s.health_check && !s.health_check->cmd.empty())
    return WaitFor::Kind::HealthCheck;
  return s.wait_for.kind;
}

ProbeOutcome probe_once(Pod& pod, ServiceInstance* instance, const ServiceSpec& s,
                        const CancelToken& cancel, Duration probe_timeout) {
  const WaitFor& w = s.wait_for;
  switch (effective_kind(s)) {
    case WaitFor::Kind::None:
      return {true, {}};
    case WaitFor::Kind::Port: {
      if (w.port != 0) return probe_port(pod, w.port, cancel, probe_timeout);
      // The `ports` default: every listed port, in order.
      for (const std::uint16_t port : s.ports) {
        ProbeOutcome o = probe_port(pod, port, cancel, probe_timeout);
        if (!o.ready) return o;
      }
      return {true, {}};
    }
    case WaitFor::Kind::Log:
      if (!w.log) return {true, {}};
      return probe_log(instance, *w.log, w.log_occurrences);
    case WaitFor::Kind::Exec:
      return probe_exec(pod, instance, w.exec, cancel, probe_timeout);
    case WaitFor::Kind::Http: {
      std::string url = w.http_url;
      if (url.empty()) url = fmt::format("http://127.0.0.1:{}/", w.port);
      return probe_http(pod, url, w.http_status, cancel, probe_timeout);
    }
    case WaitFor::Kind::HealthCheck: {
      const Duration t =
          s.health_check ? std::min(probe_timeout, s.health_check->timeout) : probe_timeout;
      return probe_exec(pod, instance, s.health_check->cmd, cancel, t);
    }
  }
  return {true, {}};
}

std::string log_section(ServiceInstance* instance) {
  if (!instance) return {};
  std::string tail = output_tail(instance->logs(16u << 10), 20, 2048);
  if (tail.empty()) return "\n  (the service wrote no output)";
  return "\n  last log lines:\n" + indent_lines(tail, "    | ");
}

}  // namespace

std::string describe_wait(const ServiceSpec& s) {
  const WaitFor& w = s.wait_for;
  switch (effective_kind(s)) {
    case WaitFor::Kind::None:
      return "nothing";
    case WaitFor::Kind::Port:
      if (w.port == 0) return fmt::format("port {} (from 'ports')", fmt::join(s.ports, ", "));
      return fmt::format("port {}", w.port);
    case WaitFor::Kind::Log:
      return w.log_occurrences > 1
                 ? fmt::format("log /{}/ x{}", w.log ? w.log->source : "", w.log_occurrences)
                 : fmt::format("log /{}/", w.log ? w.log->source : "");
    case WaitFor::Kind::Exec:
      return fmt::format("exec [{}]", fmt::join(w.exec, " "));
    case WaitFor::Kind::Http:
      return fmt::format("http {} -> {}",
                         w.http_url.empty() ? fmt::format("port {}", w.port) : w.http_url,
                         w.http_status);
    case WaitFor::Kind::HealthCheck:
      return fmt::format("health_check [{}]", fmt::join(s.health_check->cmd, " "));
  }
  return "nothing";
}

void wait_until_ready(Pod& pod, ServiceInstance* instance, const ServiceSpec& s,
                      const CancelToken& cancel, std::optional<Clock::time_point> deadline) {
  if (effective_kind(s) == WaitFor::Kind::None) return;
  const auto start = Clock::now();
  const Duration budget = s.wait_for.timeout;
  auto until = start + budget;
  const bool test_deadline_first = deadline && *deadline < until;
  if (test_deadline_first) until = *deadline;
  Duration interval = std::clamp(s.wait_for.interval, Duration(1), kMaxInterval);
  const std::string context = "service '" + s.name + "'";
  ProbeOutcome last;

  for (int attempt = 1;; ++attempt) {
    if (cancel.cancelled())
      throw Error(ErrorKind::Cancelled,
                  fmt::format("cancelled while waiting for {}", describe_wait(s)), context);
    if (instance) {
      if (std::optional<int> code = instance->exit_code()) {
        throw Error(ErrorKind::Backend,
                    fmt::format("exited with code {} before it became ready (waiting for {}){}",
                                *code, describe_wait(s), log_section(instance)),
                    context);
      }
    }
    const auto now = Clock::now();
    const Duration left = std::chrono::duration_cast<Duration>(until - now);
    last = probe_once(pod, instance, s, cancel, std::clamp(left, Duration(100), kMaxProbeTimeout));
    if (last.ready) return;

    if (Clock::now() >= until) {
      std::string state = "still running";
      if (instance) {
        if (std::optional<int> code = instance->exit_code())
          state = fmt::format("exited with code {}", *code);
      }
      const auto waited = std::chrono::duration_cast<Duration>(Clock::now() - start);
      throw Error(
          ErrorKind::Timeout,
          fmt::format(
              "not ready after {}ms{} (waiting for {}, {} probe(s); last: {}; process {}){}",
              waited.count(), test_deadline_first ? " (the test's timeout)" : "", describe_wait(s),
              attempt, last.detail.empty() ? "not ready" : last.detail, state,
              log_section(instance)),
          context);
    }
    // Sleep in slices so a cancel or an exiting service is seen promptly.
    const auto wake = std::min(Clock::now() + interval, until);
    while (Clock::now() < wake && !cancel.cancelled()) {
      const auto slice = std::min<Clock::duration>(kCancelSlice, wake - Clock::now());
      if (slice.count() > 0) std::this_thread::sleep_for(slice);
    }
    interval = std::min(interval * 2, kMaxInterval);
  }
}

}  // namespace clnrm
