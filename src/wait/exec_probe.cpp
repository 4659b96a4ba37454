// Exec readiness (and health_check): a command inside the service, or in the
// pod when the plugin runs no process, must exit 0.
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm {

ProbeOutcome probe_exec(Pod& pod, ServiceInstance* instance, const std::vector<std::string>& argv,
                        const CancelToken& cancel, Duration probe_timeout) {
  ProcessSpec probe;
  probe.name = "wait-exec";
  probe.argv = argv;
  probe.timeout = probe_timeout;
  probe.output_limit = 4096;
  ExecResult r = instance ? instance->exec(probe, cancel) : pod.exec(probe, cancel);
  if (r.exit_code == 0 && !r.timed_out) return {true, {}};
  std::string why = r.timed_out ? fmt::format("timed out after {}ms", probe_timeout.count())
                                : fmt::format("exited {}", r.exit_code);
  std::string out = r.stderr_data.empty() ? r.stdout_data : r.stderr_data;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.size() > 200) out = "..." + out.substr(out.size() - 200);
  if (!out.empty()) why += ": " + out;
  return {false, fmt::format("[{}] {}", fmt::join(argv, " "), why)};
}

}  // namespace clnrm
