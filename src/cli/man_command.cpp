// clnrm man: the clnrm(1) man page, written from the command definitions
// (man_page.h); the build installs it (CMakeLists.txt, share/man/man1).
#include <clnrm/version.h>

#include <cstdio>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/man_page.h"

namespace clnrm::cli {

void add_man_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "man", "Print the clnrm(1) man page (troff), written from the commands' --help; "
             "read it with `clnrm man | man -l -`");
  cmd->callback([&ctx, &app] {
    const std::string page = man_page(command_tree(app), kVersion);
    std::fwrite(page.data(), 1, page.size(), stdout);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
