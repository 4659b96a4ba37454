#pragma once
// A service container of a docker pod (or an adopted warm reuse container).

#include <clnrm/backend.h>

#include <memory>
#include <mutex>
#include <string>

#include "backend/docker/backend_state.h"
#include "backend/docker/reuse.h"

namespace clnrm::docker {

class DockerService final : public ServiceInstance {
 public:
  // `reuse_lock` non-null for reuse containers: they are released, not
  // removed, by stop(); the lock is shared with the pod that adopted them.
  // `exec_prefix` goes before every exec's command (clnrm-seccomp-exec at high).
  DockerService(std::shared_ptr<BackendState> state, std::string container_id, std::string name,
                std::shared_ptr<FileLock> reuse_lock, bool adopted, std::vector<std::string> exec_prefix = {});
  ~DockerService() override;

  const std::string& id() const override { return id_; }
  bool running() override;
  std::optional<int> exit_code() override;
  std::string logs(std::size_t tail_bytes) override;
  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override;
  void stop(Duration grace) override;

  // A warm reuse container: stop() releases it (the next test or run may
  // adopt it) instead of removing it.
  bool kept_warm() const noexcept { return reuse_lock_ != nullptr; }
  // True when an existing warm container was adopted (not created now).
  bool adopted() const noexcept { return adopted_; }
  bool reused() const override { return adopted_; }
  // "running", "exited (code 1, OOMKilled)" ... for readiness error messages.
  std::string describe_state() override;

 private:
  std::shared_ptr<BackendState> state_;
  std::string id_;
  std::string name_;
  std::shared_ptr<FileLock> reuse_lock_;
  bool adopted_ = false;
  std::vector<std::string> exec_prefix_;
  std::mutex mutex_;
  bool stopped_ = false;
};

}  // namespace clnrm::docker
