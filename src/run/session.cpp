#include <clnrm/session.h>
#include <clnrm/error.h>
#include <clnrm/plugin_requirements.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace clnrm {

Session::Session(std::shared_ptr<Backend> backend)
    : session_id_(make_session_id()), backend_(std::move(backend)) {
  if (!backend_) throw Error(ErrorKind::Internal, "Session needs a backend");
}

ServiceHandle Session::start_service(Pod& pod, const ServiceSpec& spec) {
  return start_service(pod, spec, &metrics_);
}

ServiceHandle Session::start_service(Pod& pod, const ServiceSpec& spec, Metrics* count_in) {
  ServicePlugin* plugin = services_.find(spec.plugin);
  if (!plugin) {
    throw Error(ErrorKind::Config, unknown_plugin_message(spec.plugin),
                "service '" + spec.name + "'");
  }
  ServiceHandle handle = plugin->start(pod, spec);
  if (count_in) {
    // A warm `reuse = true` service adopted from an earlier test or run was
    // neither started nor created now.
    if (handle.instance && handle.instance->reused()) {
      count_in->add(Metrics::Counter::ContainersReused);
    } else {
      count_in->add(Metrics::Counter::ServicesStarted);
      count_in->add(Metrics::Counter::ContainersCreated);
    }
  }
  return handle;
}

void Session::stop_service(ServiceHandle& handle) {
  if (ServicePlugin* plugin = services_.find(handle.plugin)) plugin->stop(handle);
}

HealthStatus Session::check_health(const ServiceHandle& handle) const {
  const ServicePlugin* plugin = services_.find(handle.plugin);
  return plugin ? plugin->health(handle) : HealthStatus::Unknown;
}

}  // namespace clnrm
