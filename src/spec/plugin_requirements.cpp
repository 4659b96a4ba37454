#include <clnrm/plugin_requirements.h>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace clnrm {
namespace {

// Plugins upstream clnrm ships that clnrm does not: named as such in the message.
constexpr std::string_view kUpstreamPlugins[] = {
    "surrealdb",      "ollama",           "network_service", "vllm",     "tgi",
    "otel_collector", "testcontainers",   "chaos_engine",    "chaos",    "service_mesh",
    "gvisor",         "gvisor_container", "generic_service", "postgres", "redis",
    "alpine"};

}  // namespace

std::string_view canonical_plugin_name(std::string_view name) {
  if (name == "container" || name == "generic" || name == "docker") return "generic_container";
  return name;
}

const std::vector<std::string_view>& builtin_plugin_names() {
  static const std::vector<std::string_view> names = {"generic_container", "container", "generic",
                                                      "docker", "process"};
  return names;
}

bool is_builtin_plugin(std::string_view name) {
  const auto& names = builtin_plugin_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string unknown_plugin_message(std::string_view plugin) {
  const bool upstream = std::find(std::begin(kUpstreamPlugins), std::end(kUpstreamPlugins),
                                  plugin) != std::end(kUpstreamPlugins);
  return fmt::format(
      "plugin '{}' {}: no service can be started with it (clnrm has process and "
      "generic_container; `clnrm plugins` lists them)",
      plugin,
      upstream ? "is an upstream clnrm plugin that clnrm does not implement" : "does not exist");
}

std::optional<std::string> plugin_requirement_problem(std::string_view plugin,
                                                      const ServiceSpec& spec) {
  plugin = canonical_plugin_name(plugin);
  if (plugin == "process" && spec.args.empty())
    return "plugin 'process' needs `args` (the program and its arguments)";
  if (plugin == "generic_container" && spec.image.empty() && spec.rootfs.empty())
    return "plugin 'generic_container' needs `image` (or `rootfs` on the sandbox backend)";
  return std::nullopt;
}

}  // namespace clnrm
