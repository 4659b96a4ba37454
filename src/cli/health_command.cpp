#include <clnrm/error.h>
#include <clnrm/health.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"

namespace clnrm::cli {

void add_health_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "health", "Check that this machine can run cleanrooms and say what is missing");
  struct Options {
    std::string format = "human";
    HealthOptions health;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"human", "json"}));
  cmd->add_option("--history-db", opts->health.history_db, "History database to check")
      ->capture_default_str();
  cmd->callback([&ctx, opts] {
    const HealthReport report = run_health_checks(opts->health);
    if (opts->format == "json") {
      std::printf("%s\n", health_to_json(report).dump(2).c_str());
    } else {
      std::fputs(render_health_human(report).c_str(), stdout);
    }
    // 0 when the sandbox backend can run; warnings do not change it.
    ctx.exit_code = report.sandbox_ready() ? 0 : 1;
  });
}

}  // namespace clnrm::cli
