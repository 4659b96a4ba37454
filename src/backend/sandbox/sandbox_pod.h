#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// The sandbox backend's Pod (see include/clnrm/sandbox.h for the model).

#include "backend/sandbox/pod_core.h"

#include <clnrm/backend.h>
#include <clnrm/sandbox.h>

#include <memory>

namespace clnrm::sandbox {

class SandboxPod final : public Pod {
 public:
  // Throws Error(NotSupported) naming the missing kernel feature when the
  // namespaces or mounts cannot be created; never runs anything unisolated.
  // `cgroup_pool`: the backend's (cgroups.h); null: fresh groups per pod.
  // `system_view`: the backend's (root_view.h); null: one taken now.
  // `releases`: where destroy() hands what the dead pod leaves
  // (pod_releases.h); null: destroy() releases it itself.
  SandboxPod(const SandboxOptions& options, const PodSpec& spec, std::shared_ptr<CgroupPool> cgroup_pool = nullptr,
             std::shared_ptr<SystemViewOnce> system_view = nullptr, std::shared_ptr<PodReleases> releases = nullptr);
  // A standby pod: returns once pod init is set going, before its setup is
  // done; adopt() waits for the rest. The thread that made it (the standby
  // worker) then is free, and pod init's "set up" goes straight to the
  // thread that takes the pod (one thread hop less before a run's first
  // step, bench/peers/run_phases.sh). Throws like the constructor for what
  // fails before pod init is set going. `awaited_next`: the caller awaits
  // it right away (a pod made on demand, not ahead: pod_init_config.h,
  // awaited).
  static std::unique_ptr<SandboxPod> launch(const SandboxOptions& options, const PodSpec& spec,
                                            std::shared_ptr<CgroupPool> cgroup_pool,
                                            std::shared_ptr<SystemViewOnce> system_view,
                                            std::shared_ptr<PodReleases> releases, bool awaited_next = false);
  ~SandboxPod() override;

  const std::string& id() const override { return core_->id; }
  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override;
  std::unique_ptr<ServiceInstance> start_service(const ProcessSpec& spec) override;
  std::optional<int> connect_tcp(LoopbackIpv4 address, std::uint16_t port) override;
  void destroy() override;
  std::vector<EnforcedLimit> enforced_limits() const override { return core_->enforced; }

  pid_t init_pid() const { return core_->init_pid; }
  // A standby pod (standby_pods.h) taken for `spec`, which is of the kind it
  // was made for: waits until its setup is done (throws as the constructor
  // does when it failed, the pod then destroyed), then takes the test's name
  // and step mode. Before first use.
  void adopt(const PodSpec& spec);
  // A pod from launch(): waits until its setup is done (throws as the
  // constructor does when it failed, the pod then destroyed). Once.
  void await_setup();

 private:
  // Awaited: by the constructor; Next: by the caller right after; Later:
  // when a test takes the pod (a standby pod).
  enum class Setup { Awaited, Next, Later };
  SandboxPod(const SandboxOptions& options, const PodSpec& spec, std::shared_ptr<CgroupPool> cgroup_pool,
             std::shared_ptr<SystemViewOnce> system_view, std::shared_ptr<PodReleases> releases, Setup setup);
  void check_alive() const;
  std::shared_ptr<PodCore> core_;
};

// What a pod of `spec` takes that does not depend on its namespaces, made
// ahead on the calling thread: its cgroups (into `pool`: the directories,
// the slow part) and its seccomp program (built once per process,
// security_plan.cpp). SandboxBackend::expect_pod makes them while the
// standby worker starts; the worker takes the groups before the clone and
// the program after it (a root runner's pod with a user namespace; others
// take both before the clone, and this makes nothing for them).
void prepare_pod_parts(const SandboxOptions& options, const PodSpec& spec, CgroupPool& pool);

}  // namespace clnrm::sandbox
