#pragma once
// The built-in service plugins by name, and what each needs of a service.
// One source for the parser (src/spec/services_reader.cpp refuses, at
// file:line:col, a service no plugin can start) and for the run
// (src/plugin/builtin_plugins.cpp, src/run/session.cpp check the same at
// start): `clnrm validate` and `clnrm run` give one verdict in one wording.

#include <clnrm/spec.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// Upstream clnrm's aliases of the container plugin ("container", "generic",
// "docker") -> "generic_container"; any other name unchanged.
std::string_view canonical_plugin_name(std::string_view name);
// Every name a built-in plugin answers to, aliases included.
const std::vector<std::string_view>& builtin_plugin_names();
bool is_builtin_plugin(std::string_view name);
// Why no plugin can start a service of plugin `plugin`: an upstream clnrm
// plugin clnrm does not have, or an unknown name. Without the service name.
std::string unknown_plugin_message(std::string_view plugin);
// What the built-in plugin `plugin` misses in `spec` ("plugin 'process' needs
// `args` ..."); nullopt when the service can be started (or `plugin` is not built in).
std::optional<std::string> plugin_requirement_problem(std::string_view plugin,
                                                      const ServiceSpec& spec);

}  // namespace clnrm
