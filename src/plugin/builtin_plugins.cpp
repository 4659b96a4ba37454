// The built-in service plugins. Both turn a ServiceSpec into a backend
// process/container in the test's pod; they differ in what they require.
#include <clnrm/error.h>
#include <clnrm/plugin_requirements.h>
#include <clnrm/service.h>

namespace clnrm {
namespace {

ProcessSpec to_process(const ServiceSpec& spec) {
  ProcessSpec p;
  p.name = spec.name;
  p.argv = spec.args;
  p.env = spec.env;
  p.workdir = spec.workdir;
  p.image = spec.image;
  p.rootfs = spec.rootfs;
  p.reuse = spec.reuse;
  return p;
}

class ServicePluginBase : public ServicePlugin {
 public:
  ServiceHandle start(Pod& pod, const ServiceSpec& spec) override {
    validate(spec);
    std::shared_ptr<ServiceInstance> instance = pod.start_service(to_process(spec));
    ServiceHandle h;
    h.id = instance->id();
    h.service_name = spec.name;
    h.plugin = std::string(name());
    h.instance = std::move(instance);
    return h;
  }
  void stop(ServiceHandle& handle) override {
    if (handle.instance) handle.instance->stop(Duration(2'000));
  }
  HealthStatus health(const ServiceHandle& handle) const override {
    if (!handle.instance) return HealthStatus::Unknown;
    return handle.instance->running() ? HealthStatus::Healthy : HealthStatus::Unhealthy;
  }

 protected:
  virtual void validate(const ServiceSpec& spec) const = 0;
};

// Runs a host program (e.g. redis-server) as the service, inside the pod.
class ProcessPlugin final : public ServicePluginBase {
 public:
  std::string_view name() const override { return "process"; }
  std::string_view description() const override {
    return "runs a host program as a long-lived service inside the test's cleanroom (args = argv)";
  }

 protected:
  void validate(const ServiceSpec& spec) const override {
    if (auto problem = plugin_requirement_problem(name(), spec))
      throw Error(ErrorKind::Config, *problem, "service '" + spec.name + "'");
  }
};

// Runs an image (docker backend) or a rootfs directory / the host root
// (sandbox backend) as the service.
class GenericContainerPlugin final : public ServicePluginBase {
 public:
  std::string_view name() const override { return "generic_container"; }
  std::string_view description() const override {
    return "runs a container from `image` (docker) or from `rootfs`/the host root (sandbox); aliases: container, generic";
  }
  bool needs_image() const override { return true; }

 protected:
  void validate(const ServiceSpec& spec) const override {
    if (auto problem = plugin_requirement_problem(name(), spec))
      throw Error(ErrorKind::Config, *problem, "service '" + spec.name + "'");
  }
};

}  // namespace

void register_builtin_plugins(ServiceRegistry& registry) {
  registry.register_plugin(std::make_unique<ProcessPlugin>());
  registry.register_plugin(std::make_unique<GenericContainerPlugin>());
}

}  // namespace clnrm
