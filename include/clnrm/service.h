#pragma once
// Service plugins: how a [services.X] entry becomes a running thing in a pod.

#include <clnrm/backend.h>
#include <clnrm/spec.h>

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

enum class HealthStatus { Healthy, Unhealthy, Unknown };
std::string_view to_string(HealthStatus status) noexcept;

struct ServiceHandle {
  std::string id;            // backend id (pid, container id)
  std::string service_name;  // the X of [services.X]
  std::string plugin;
  std::shared_ptr<ServiceInstance> instance;  // null for plugins that run nothing (null backend)
};

class ServicePlugin {
 public:
  virtual ~ServicePlugin() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // True when the plugin needs `image` (generic_container).
  virtual bool needs_image() const { return false; }
  // Starts the service inside `pod`. Readiness is waited for by the caller
  // (src/wait), not here. Throws Error on failure.
  virtual ServiceHandle start(Pod& pod, const ServiceSpec& spec) = 0;
  virtual void stop(ServiceHandle& handle) = 0;
  virtual HealthStatus health(const ServiceHandle& handle) const = 0;
};

// Plugins by name. Registration happens at start-up; lookups afterwards take
// a shared lock only, so parallel tests never serialise on it.
class ServiceRegistry {
 public:
  // Throws Error(Config) when a plugin of that name is already registered.
  void register_plugin(std::unique_ptr<ServicePlugin> plugin);
  // Null when no plugin has that name (an alias such as "container" counts).
  ServicePlugin* find(std::string_view name) const;
  std::vector<const ServicePlugin*> list() const;  // sorted by name
  std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::unique_ptr<ServicePlugin>> plugins_;  // sorted by name
};

// Registers the plugins that really exist: process, generic_container.
void register_builtin_plugins(ServiceRegistry& registry);

}  // namespace clnrm
