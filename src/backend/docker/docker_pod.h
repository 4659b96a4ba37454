#pragma once
// One test's cleanroom on the docker backend. The pod's network namespace is
// owned by an "anchor" container (NetworkMode none, running `sleep`), made
// when first needed; services, and a per-test step container that runs the
// steps as execs, join it with NetworkMode container:<anchor>. A warm reuse
// service adopted before anything else becomes the anchor itself.

#include <clnrm/backend.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/docker/backend_state.h"
#include "backend/docker/container_spec.h"
#include "backend/docker/reuse.h"

namespace clnrm::docker {

class DockerPod final : public Pod {
 public:
  DockerPod(std::shared_ptr<BackendState> state, PodSpec spec);
  ~DockerPod() override;

  const std::string& id() const override { return name_; }
  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override;
  std::unique_ptr<ServiceInstance> start_service(const ProcessSpec& spec) override;
  std::optional<int> connect_tcp(std::uint16_t port) override;
  void destroy() override;

  // The container owning the pod's netns ("" before it is needed / host mode).
  std::string anchor_id();

 private:
  bool host_mode() const;
  std::string network_mode_locked();  // creates the anchor when needed
  std::string ensure_anchor_locked();
  std::string step_container_for(const std::string& image_request);
  std::map<std::string, std::string> labels(const std::string& role, const std::string& service = {}) const;
  std::string next_name(const std::string& role);
  std::string create_and_start(const ContainerConfig& config, const std::string& name);
  std::unique_ptr<ServiceInstance> start_reused(ContainerConfig config, const std::string& image_id,
                                                const ProcessSpec& spec);

  std::shared_ptr<BackendState> state_;
  PodSpec spec_;
  std::string name_;
  std::mutex mutex_;
  std::string anchor_;
  bool anchor_reused_ = false;
  std::shared_ptr<ReuseLock> anchor_lock_;
  std::map<std::string, std::string> step_containers_;  // image -> container id
  std::vector<std::string> owned_;                      // removed by destroy()
  int counter_ = 0;
  bool destroyed_ = false;
};

}  // namespace clnrm::docker
