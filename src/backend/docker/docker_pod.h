#pragma once
// One test's cleanroom on the docker backend. The pod's network namespace is
// owned by an "anchor" container (NetworkMode none), made when first needed;
// services and any further step containers join it with NetworkMode
// container:<anchor>. Unless a pause image is configured, the anchor is also
// the step container for the pod's image: its PID 1 is the step agent
// (step_agent.h), so a one-step test costs one container, not two. A warm
// reuse service adopted before anything else becomes the anchor itself.

#include <clnrm/backend.h>
#include <clnrm/policy.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/docker/backend_state.h"
#include "backend/docker/container_spec.h"
#include "backend/docker/fresh_pool.h"
#include "backend/docker/reuse.h"
#include "backend/docker/step_agent.h"
#include "backend/docker/step_gate.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

class DockerPod final : public Pod {
 public:
  DockerPod(std::shared_ptr<BackendState> state, PodSpec spec);
  ~DockerPod() override;

  const std::string& id() const override { return name_; }
  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override;
  std::unique_ptr<ServiceInstance> start_service(const ProcessSpec& spec) override;
  std::optional<int> connect_tcp(LoopbackIpv4 address, std::uint16_t port) override;
  void destroy() override;
  std::vector<EnforcedLimit> enforced_limits() const override;

  // The container owning the pod's netns ("" before it is needed / host mode).
  std::string anchor_id();

 private:
  struct StepContainer {
    std::string id;
    bool is_anchor = false;
    std::unique_ptr<StepAgent> agent;  // null: engine execs
    std::mutex busy;                   // the agent runs one step at a time
    StepGate gate;                     // steps running here (the agent's sweep waits for none)
    std::atomic<long> oom_kills{0};    // the container cgroup's oom_kill count last seen
  };

  bool host_mode() const;
  // Whether service `service` gets a step agent (service_agent.h).
  bool service_step_agent(const std::string& service) const;
  // The anchor's hostname, which every container of the pod shares (they
  // join its UTS namespace with its network): kDeterministicHostname for a
  // [determinism] test, else the engine's. Host mode keeps the engine's.
  std::string pod_hostname() const;
  std::string network_mode_locked();  // creates the anchor when needed
  std::string ensure_anchor_locked();
  ContainerConfig step_config(const std::string& image) const;
  // With the helper found: mounts it (engine-exec steps run under its
  // --reap); at high also runs c's command under its filter; with
  // `agent_beside` (a Docker service whose steps use a kept agent) runs it
  // at every level behind beside_agent_prefix (kept_agent.h).
  void wrap_with_seccomp_helper(ContainerConfig& c, bool agent_beside = false) const;
  // Runs one step in `sc` (agent or engine exec) and learns whether a
  // SIGKILL was the OOM killer's.
  ExecResult run_step(StepContainer& sc, StepGate::Step& step, const ProcessSpec& spec, const CancelToken& cancel);
  // After the last running step of `sc` ended: kill what steps left there.
  void sweep_after_exec_step(StepContainer& sc, const ExecResult& last);
  bool take_standby_anchor_locked();
  // The anchor from the fresh pool (fresh_pool.h); false when none is free.
  bool take_pooled_anchor_locked();
  // A fresh pool container made from `c`'s create body (its labels aside),
  // renamed `name` and owned by the pod like one it created; "" when the pool
  // is off, `c` binds the test's volumes, or no entry is free. The shape is
  // handed to the teardown process to refill after the run either way;
  // with `agent_prefix` its entries get a kept step agent (kept_agent.h).
  std::string claim_pooled_locked(const ContainerConfig& c, const std::string& image_id, const std::string& role,
                                  const std::string& name, const std::vector<std::string>& agent_prefix = {});
  std::shared_ptr<StepContainer> make_step_container_locked(const std::string& requested_image, bool as_anchor);
  std::shared_ptr<StepContainer> step_container_for(const std::string& image_request);
  std::string default_image() const;
  std::map<std::string, std::string> labels(const std::string& role, const std::string& service = {}) const;
  std::string next_name(const std::string& role);
  std::string create_and_start(const ContainerConfig& config, const std::string& name,
                               const std::function<void(const std::string&)>& before_start = {});
  // `agent_beside`: config's command starts its kept agent (kept_agent.h).
  std::unique_ptr<ServiceInstance> start_reused(ContainerConfig config, const std::string& image_id,
                                                const ProcessSpec& spec, bool agent_beside);
  void forget_step_container(const std::string& id);

  std::shared_ptr<BackendState> state_;
  PodSpec spec_;
  IsolationPolicy policy_;  // spec_'s level/limits/host_network as the §7 table says
  std::vector<std::string> seccomp_prefix_;  // clnrm-seccomp-exec argv prefix; empty: engine profile only
  std::vector<std::string> exec_prefix_;     // engine-exec steps: clnrm-seccomp-exec [filter] --reap --; empty: no helper
  std::vector<std::string> covered_;         // sockets inside the volumes, as container paths
  std::string name_;
  std::mutex mutex_;
  std::string anchor_;
  bool anchor_reused_ = false;
  std::shared_ptr<FileLock> anchor_lock_;
  std::map<std::string, std::shared_ptr<StepContainer>> step_containers_;  // requested image -> container
  std::vector<std::string> owned_;                                          // removed by destroy()
  std::vector<PoolClaim> pool_claims_;  // held until destroy()
  int counter_ = 0;
  bool destroyed_ = false;
  UniqueFd anchor_netns_;  // the anchor's network namespace, once connect_tcp opened it
};

}  // namespace clnrm::docker
