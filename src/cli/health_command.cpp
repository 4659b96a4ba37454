#include <clnrm/error.h>
#include <clnrm/health.h>
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_settings.h"

namespace clnrm::cli {

void add_health_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "health", "Check that this machine can run cleanrooms and say what is missing");
  struct Options {
    std::string format = "human";
    HealthOptions health;
    ConfigFlags config;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"human", "json"}));
  cmd->add_option("--history-db", opts->health.history_db, "History database to check")
      ->capture_default_str();
  cmd->add_option("--docker-host", opts->health.docker_host,
                  "Engine to check (unix:///path or tcp://host:port); default DOCKER_HOST, then "
                  "CLNRM_DOCKER_SOCKET, then the usual sockets: the engine `clnrm run` would use");
  add_config_flags(*cmd, opts->config);
  cmd->callback([&ctx, opts] {
    // An invalid cleanroom.toml stops here (exit 2), as it would stop `clnrm run`.
    const ProjectSettings project = load_project_settings(opts->config);
    HealthOptions health = opts->health;
    std::string detail = project.note;
    if (project.config) {
      health.engine_required = project.config->backend == "docker";
      if (!project.config->backend.empty())
        detail += fmt::format(" (backend {}: {})", project.config->backend,
                              project.config->where("backend"));
    }
    HealthReport report = run_health_checks(health);
    report.checks.push_back({"project", "cleanroom.toml", HealthCheck::Result::Ok, false, detail, ""});
    if (opts->format == "json") {
      std::printf("%s\n", health_to_json(report).dump(2).c_str());
    } else {
      std::fputs(render_health_human(report).c_str(), stdout);
    }
    // 0 when the sandbox can run and an engine that was asked for answers;
    // warnings do not change it.
    ctx.exit_code = report.ready() ? 0 : 1;
  });
}

}  // namespace clnrm::cli
