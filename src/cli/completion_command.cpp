// clnrm completion SHELL: a completion script written from the command
// definitions this binary has (shell_completion.h, docs/editor-support.md).
#include <cstdio>
#include <memory>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/shell_completion.h"

namespace clnrm::cli {

void add_completion_command(CLI::App& app, CliContext& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script for clnrm");
  cmd->add_option("shell", *shell, "The shell: bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->callback([&ctx, &app, shell] {
    const CommandNode tree = command_tree(app);
    const std::string script = *shell == "bash"  ? bash_completion(tree)
                               : *shell == "zsh" ? zsh_completion(tree)
                                                 : fish_completion(tree);
    std::fwrite(script.data(), 1, script.size(), stdout);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
