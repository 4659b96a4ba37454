#include <clnrm/version.h>

#include <cstdio>

#include "cli/commands.h"

namespace clnrm::cli {

void add_version_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("version", "Print the clnrm version");
  cmd->callback([&ctx] {
    std::printf("clnrm %s\n", kVersion);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
