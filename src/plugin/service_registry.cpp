#include <clnrm/error.h>
#include <clnrm/plugin_requirements.h>
#include <clnrm/service.h>

#include <algorithm>
#include <mutex>

namespace clnrm {

std::string_view to_string(HealthStatus status) noexcept {
  switch (status) {
    case HealthStatus::Healthy: return "healthy";
    case HealthStatus::Unhealthy: return "unhealthy";
    case HealthStatus::Unknown: return "unknown";
  }
  return "unknown";
}

void ServiceRegistry::register_plugin(std::unique_ptr<ServicePlugin> plugin) {
  std::unique_lock lock(mutex_);
  auto it = std::lower_bound(plugins_.begin(), plugins_.end(), plugin->name(),
                             [](const auto& p, std::string_view n) { return p->name() < n; });
  if (it != plugins_.end() && (*it)->name() == plugin->name()) {
    throw Error(ErrorKind::Config, "a service plugin named '" + std::string(plugin->name()) + "' is already registered");
  }
  plugins_.insert(it, std::move(plugin));
}

ServicePlugin* ServiceRegistry::find(std::string_view name) const {
  name = canonical_plugin_name(name);
  std::shared_lock lock(mutex_);
  auto it = std::lower_bound(plugins_.begin(), plugins_.end(), name,
                             [](const auto& p, std::string_view n) { return p->name() < n; });
  return (it != plugins_.end() && (*it)->name() == name) ? it->get() : nullptr;
}

std::vector<const ServicePlugin*> ServiceRegistry::list() const {
  std::shared_lock lock(mutex_);
  std::vector<const ServicePlugin*> out;
  out.reserve(plugins_.size());
  for (const auto& p : plugins_) out.push_back(p.get());
  return out;
}

std::size_t ServiceRegistry::size() const {
  std::shared_lock lock(mutex_);
  return plugins_.size();
}

}  // namespace clnrm
