// TCP readiness: connect from the runner into the pod when the backend can,
// else look for a listening socket from inside the pod. The in-pod probe
// reads /proc/net/tcp{,6} (sh + grep: every busybox image has them; Debian's
// busybox `nc` has no -z) and falls back to `nc -z` for images without /proc.
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <unistd.h>

namespace clnrm {

std::vector<std::string> port_probe_command(std::uint16_t port) {
  // /proc/net/tcp lines: "sl local_address rem_address st ...", ports in hex,
  // state 0A = LISTEN; the remote side of a listener is all zeros.
  const std::string script = fmt::format(
      "grep -qE ':{0:04X} [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || "
      "nc -z -w 1 127.0.0.1 {1} 2>/dev/null",
      port, port);
  return {"sh", "-c", script};
}

ProbeOutcome probe_port(Pod& pod, std::uint16_t port, const CancelToken& cancel,
                        Duration probe_timeout) {
  if (std::optional<int> fd = pod.connect_tcp(LoopbackIpv4{}, port)) {
    if (*fd >= 0) {
      ::close(*fd);
      return {true, {}};
    }
    return {false, fmt::format("nothing listens on 127.0.0.1:{}", port)};
  }
  ProcessSpec probe;
  probe.name = "wait-port";
  probe.argv = port_probe_command(port);
  probe.timeout = probe_timeout;
  ExecResult r = pod.exec(probe, cancel);
  if (r.exit_code == 0) return {true, {}};
  return {false, fmt::format("no socket listens on port {} in the pod (probe exited {})", port,
                             r.exit_code)};
}

}  // namespace clnrm
