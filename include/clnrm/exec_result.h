#pragma once
// What running a process in a pod produced, and how a pod's isolation was
// enforced: plain data the backends fill (include/clnrm/backend.h) and the
// results, reporters and history read (include/clnrm/result.h), so none of
// those compiles against the backend interface.

#include <chrono>
#include <cstdint>
#include <string>

namespace clnrm {

struct ResourceUsage {
  std::chrono::nanoseconds wall{0};
  std::chrono::microseconds user_cpu{0};
  std::chrono::microseconds system_cpu{0};
  std::int64_t max_rss_kb = 0;
};

struct ExecResult {
  int exit_code = -1;        // 128+signal when killed by a signal
  int term_signal = 0;       // 0 when it exited normally
  bool timed_out = false;    // killed because the timeout passed
  bool oom_killed = false;
  std::string stdout_data;
  std::string stderr_data;
  ResourceUsage usage;
};

// How one isolation setting of a pod is actually enforced, so the runner can
// print it instead of pretending ("memory", "cgroup v1 memory.limit_in_bytes",
// "256 MiB"). A mechanism starting with "not enforced" means exactly that.
struct EnforcedLimit {
  std::string what;       // memory | pids | cpu | capabilities | seccomp | network | root fs ...
  std::string mechanism;  // e.g. "cgroup v1 pids.max", "setrlimit RLIMIT_AS (per process)"
  std::string value;      // e.g. "64", "256 MiB", "none"
};

}  // namespace clnrm
