#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side"). A pod init cloned before
// the runner knows its first test (include/clnrm/sandbox.h,
// start_early_pod_init): the kernel's half millisecond of making a pod's
// namespaces then overlaps the runner's reading of its command line and
// test files, on a CPU that is idle meanwhile. Pod init waits for its go
// (pod_init_config.h says what it reads before): the first pod of the kind
// it was cloned as gives it its config then, like a pod init of its own.

#include "backend/sandbox/pod_init_config.h"
#include "backend/sandbox/pod_init_launcher.h"

#include <sys/types.h>

#include <memory>

namespace clnrm::sandbox {

// The kind: a root runner's pod at medium or high (a user namespace) with
// its own network, pod init sharing the runner's memory.
inline constexpr bool kEarlyPodInitSharesMemory = true;
int early_pod_init_clone_flags();

// A cloned pod init waiting for its go, for a pod to take. Destroyed while
// it still owns the pid: pod init is killed and reaped.
struct EarlyPodInit {
  EarlyPodInit() = default;
  EarlyPodInit(const EarlyPodInit&) = delete;
  EarlyPodInit& operator=(const EarlyPodInit&) = delete;
  ~EarlyPodInit();

  // The pod takes pod init over (kills and reaps it when it goes).
  pid_t release_pid() { return std::exchange(pid, -1); }

  pid_t pid = -1;
  // Pod init reads it (it shares the runner's memory) until its setup is
  // done: the pod keeps it where it is (PodCore::init_config).
  std::unique_ptr<PodInitConfig> config;
  PodInitChannels channels;  // the pod ends closed
};

// Whether this process has an early pod init no pod took yet.
bool early_pod_init_pending();

// The early pod init when this process started one and it is of the kind
// `clone_flags` / `share_memory` ask for; waits for its clone. Null
// otherwise: none was started, its clone failed (the caller's own clone
// then reports why), it was taken already, or it is of another kind (then
// it is killed and reaped now: the first pod decides).
std::unique_ptr<EarlyPodInit> take_early_pod_init(int clone_flags, bool share_memory);

}  // namespace clnrm::sandbox
