#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// State shared by a sandbox pod and the services started in it: the pod
// init's namespaces (as open descriptors, so joining them does not race with
// pid reuse), the security plan, the cgroups. Services keep it alive with a
// shared_ptr so a service outliving its Pod object still has valid fds.

#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/fork_protocol.h"
#include "backend/sandbox/image_roots.h"
#include "backend/sandbox/pod_init_launcher.h"
#include "backend/sandbox/pod_releases.h"
#include "backend/sandbox/root_view.h"
#include "backend/sandbox/security.h"
#include "backend/sandbox/runner_spawn.h"
#include "base/unique_fd.h"

#include <clnrm/backend.h>
#include <clnrm/sandbox.h>

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace clnrm::sandbox {

struct PodCore {
  std::string id;
  std::string test_name;
  SandboxOptions options;
  SecurityPlan security;
  bool user_namespace = false;  // the pod has its own (medium, high; any level of an unprivileged runner)
  bool root_runner = false;
  std::shared_ptr<const RootView> view;  // what of the host the pod sees (root_view.h)
  // What pod init covers with /dev/null: the system directories' sockets
  // and secrets, then the view's (those of its shared directories).
  std::vector<std::string> covered;
  // The services that run from an image, each with its overlay root, mounted
  // by pod init (image_roots.h). Fixed once the pod is made.
  std::vector<ImageRoot> image_roots;
  // The one of image_roots that Pod::exec runs steps in (the test's default
  // image, PodSpec::step_image), or null.
  const ImageRoot* step_image_root = nullptr;
  bool host_network = false;
  pid_t init_pid = -1;
  UniqueFd init_pidfd;
  // Until pod init's second report (set up, or why not) was read
  // (SandboxPod::await_setup): the read end of its report pipe, and its
  // config, which it reads while it sets up when it shares the runner's
  // memory (pod_init_launcher.cpp).
  UniqueFd setup_report;
  std::unique_ptr<PodInitConfig> init_config;
  KeeperHold keeper;  // dropped with the core, after pod init was reaped
  UniqueFd ns_user, ns_ipc, ns_uts, ns_net, ns_pid, ns_mnt;
  PodCgroups cgroups;
  // Takes the namespaces and groups once pod init is reaped; null: destroy()
  // releases them itself.
  std::shared_ptr<PodReleases> releases;
  UniqueFd fork_server;            // the runner's end of the control socket
  std::mutex fork_server_mutex;    // one request/reply at a time
  ForkServerMemory fork_server_memory;
  std::vector<EnforcedLimit> enforced;
  std::mutex destroy_mutex;
  std::atomic<bool> destroyed{false};
  // PodSpec::sequential_steps: steps may run directly under pod init (see
  // pod_server.h), one at a time (sequential_mutex), until a service starts.
  bool sequential_steps = false;
  std::mutex sequential_mutex;
  bool service_started = false;  // guarded by sequential_mutex
  // Spawns hold it shared while they use the namespace fds and the control
  // socket; destroy() takes it exclusively (after killing pod init, which
  // makes pending spawns return) before closing them, so a descriptor is
  // never closed, and its number reused, under a spawn in another thread.
  std::shared_mutex spawn_guard;

  // Throws Error(Backend) when the pod was destroyed; call with spawn_guard held.
  void check_not_destroyed() const;

  // setns order for a process joining the pod, with `pid_ns` (the pod's, or a
  // service's) as the parent of the process's own fresh PID namespace.
  std::vector<NamespaceJoin> joins(int pid_ns) const;
  // The pod's network namespace to join; -1 with the host's network. Throws
  // Error when the pod has one of its own that is not open yet.
  int network_fd() const;
  // SIGKILL of pod init (the kernel then kills every process of the pod),
  // reap; then the namespaces are closed and the cgroups given back, here
  // or by `releases`. Idempotent.
  void destroy() noexcept;

 private:
  // destroy()'s part under destroy_mutex: SIGKILL, reap, and the namespace
  // descriptors and cgroups moved into `left`.
  void kill_and_take_leftovers(PodLeftovers& left) noexcept;
};

// The pod's own PID namespace, for run_in_pod (resolved under the spawn
// guard, so a concurrent destroy() never races the read of its descriptor).
inline constexpr int kPodPidNamespace = -1;

// Runs `spec` to completion in a fresh PID namespace under `pid_ns` (a
// service's, or kPodPidNamespace; with `direct`, possibly straight under pod
// init: the caller guarantees nothing else runs in the pod meanwhile).
// With `image`, the step runs in that service's image root, as its User, with
// its config (image_roots.h).
ExecResult run_in_pod(PodCore& core, int pid_ns, const ProcessSpec& spec, const CancelToken& cancel,
                      bool direct = false, const ImageRoot* image = nullptr);

// Decodes what C2 reported (or, when it was killed, its own wait status).
void decode_exit(int c2_wait_status, const StepStatus* reported, ExecResult& result);

// `image`: the service's image root (one of core->image_roots), or null.
std::unique_ptr<ServiceInstance> start_sandbox_service(std::shared_ptr<PodCore> core, const ProcessSpec& spec,
                                                       const ImageRoot* image = nullptr);

}  // namespace clnrm::sandbox
