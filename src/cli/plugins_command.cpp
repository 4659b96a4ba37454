// `clnrm plugins`: the service plugins this build really has.
#include <clnrm/service.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace clnrm::cli {

void add_plugins_command(CLI::App& app, CliContext& ctx) {
  auto format = std::make_shared<std::string>("human");
  auto* cmd = app.add_subcommand("plugins", "List the available service plugins");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"human", "json"}));
  cmd->callback([&ctx, format] {
    ServiceRegistry registry;
    register_builtin_plugins(registry);
    const auto plugins = registry.list();
    if (*format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const ServicePlugin* p : plugins)
        out.push_back({{"name", p->name()},
                       {"description", p->description()},
                       {"needs_image", p->needs_image()}});
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      std::size_t width = 0;
      for (const ServicePlugin* p : plugins) width = std::max(width, p->name().size());
      for (const ServicePlugin* p : plugins)
        std::printf("%-*.*s  %.*s\n", static_cast<int>(width), static_cast<int>(p->name().size()),
                    p->name().data(), static_cast<int>(p->description().size()),
                    p->description().data());
    }
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
