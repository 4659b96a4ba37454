#pragma once
// Side: shared protocol (docs/SANDBOX.md, "Code by side"). The record a
// step's init writes on the status pipe when the command is done, read by the
// runner (run_in_pod.cpp, service_instance.cpp): written by step init
// (step_init.cpp) or, on the runner-forked path, by C2 (runner_spawn.cpp), and by
// pod init for a direct step (pod_server.cpp). Plain data, nothing to link.

namespace clnrm::sandbox {

// What C2 writes on the status pipe when the command is done: its wait status
// and the resource usage of the command and every process C2 reaped.
struct StepStatus {
  int wait_status = 0;
  long user_us = 0;
  long system_us = 0;
  long max_rss_kb = 0;
};

}  // namespace clnrm::sandbox
