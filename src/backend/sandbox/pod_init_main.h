#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. Pod init's main, which the runner's parent threads
// clone (pod_init_launcher.cpp).

#include "backend/sandbox/pod_init_config.h"

namespace clnrm::sandbox {

// Pod init: `config` is a PodInitConfig. Sets up the pod, reports on
// config.report_fd, then serves spawn requests (pod_server.h) or waits for
// the runner's end. Never returns; async-signal-safe.
int pod_init_main(void* config);

// Writes a PodInitReport on `fd`: pod init's, and the runner's parent thread's
// when the clone itself failed.
void report_pod_init(int fd, int error, const char* stage, bool started = false) noexcept;

}  // namespace clnrm::sandbox
