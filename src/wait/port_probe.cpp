// TCP readiness: connect from the runner into the pod when the backend can,
// else run a connect probe inside the pod (Docker: `nc -z` from busybox).
#include <clnrm/wait.h>

#include <fmt/format.h>
#include <unistd.h>

namespace clnrm {

ProbeOutcome probe_port(Pod& pod, std::uint16_t port, const CancelToken& cancel, Duration probe_timeout) {
  if (std::optional<int> fd = pod.connect_tcp(port)) {
    if (*fd >= 0) {
      ::close(*fd);
      return {true, {}};
    }
    return {false, fmt::format("nothing listens on 127.0.0.1:{}", port)};
  }
  ProcessSpec probe;
  probe.name = "wait-port";
  probe.argv = {"nc", "-z", "-w", "1", "127.0.0.1", std::to_string(port)};
  probe.timeout = probe_timeout;
  ExecResult r = pod.exec(probe, cancel);
  if (r.exit_code == 0) return {true, {}};
  return {false, fmt::format("`nc -z 127.0.0.1 {}` in the pod exited {}", port, r.exit_code)};
}

}  // namespace clnrm
