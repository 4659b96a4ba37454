#pragma once
// Internal to src/run: one test's pod plus the services started in it.
// Teardown runs exactly once: explicitly via close() (so its errors reach
// the result) or from the destructor (exception, timeout, cancel).

#include <clnrm/session.h>

#include <memory>
#include <string>
#include <vector>

namespace clnrm::run {

class Cleanroom {
 public:
  Cleanroom(Session& env, std::unique_ptr<Pod> pod) : env_(env), pod_(std::move(pod)) {}
  ~Cleanroom() { close(); }
  Cleanroom(const Cleanroom&) = delete;
  Cleanroom& operator=(const Cleanroom&) = delete;

  Pod& pod() { return *pod_; }
  // Takes ownership: stopped (in reverse start order) before the pod dies.
  ServiceHandle& adopt(ServiceHandle handle) { return services_.emplace_back(std::move(handle)); }
  std::vector<ServiceHandle>& services() { return services_; }

  // Stops services, destroys the pod. Returns what went wrong, empty when
  // nothing did. Idempotent; never throws.
  std::string close() noexcept;

 private:
  Session& env_;
  std::unique_ptr<Pod> pod_;
  std::vector<ServiceHandle> services_;
  bool closed_ = false;
};

}  // namespace clnrm::run
