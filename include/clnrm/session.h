#pragma once
// Session: one clnrm run's shared state. Owns the backend, the plugin registry and
// the metrics. Shared by all tests of a run (it is thread-safe); per-test
// state (pods, service handles) lives in the runner.

#include <clnrm/backend.h>
#include <clnrm/metrics.h>
#include <clnrm/service.h>

#include <memory>
#include <string>
#include <vector>

namespace clnrm {

class Session {
 public:
  // `backend` must not be null. Registers no plugins: call
  // register_builtin_plugins(env.services()) or add your own.
  explicit Session(std::shared_ptr<Backend> backend);

  const std::string& session_id() const noexcept { return session_id_; }
  Backend& backend() noexcept { return *backend_; }
  const std::shared_ptr<Backend>& backend_ptr() const noexcept { return backend_; }
  ServiceRegistry& services() noexcept { return services_; }
  Metrics& metrics() noexcept { return metrics_; }
  const Metrics& metrics() const noexcept { return metrics_; }

  // Looks up spec.plugin and starts the service in `pod`; counts it.
  // Throws Error(Config) for an unknown plugin.
  ServiceHandle start_service(Pod& pod, const ServiceSpec& spec);
  // The same, counted in `count_in` instead (null: not counted).
  ServiceHandle start_service(Pod& pod, const ServiceSpec& spec, Metrics* count_in);
  void stop_service(ServiceHandle& handle);
  HealthStatus check_health(const ServiceHandle& handle) const;

 private:
  std::string session_id_;
  std::shared_ptr<Backend> backend_;
  Metrics metrics_;
  ServiceRegistry services_;
};

}  // namespace clnrm
