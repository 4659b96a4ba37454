#pragma once
// The commands, flags and values of the clnrm command line as CLI11 defines
// them, read from the CLI11 App objects the add_*_command functions built:
// one walk that `clnrm completion` (shell_completion.cpp) and `clnrm man`
// (man_page.cpp) write from, so neither keeps a second list of flags.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace clnrm::cli {

// What a shell may offer for an option's value or a positional argument.
enum class ValueCompletion {
  None,       // free text, a number, a name
  Choices,    // one of CommandOption::choices
  Files,      // a path
  TestFiles,  // *.clnrm.toml files and directories
};

struct CommandOption {
  std::vector<std::string> names;  // "-j", "--jobs" (short first); a positional: its name
  std::string description;
  std::string value_name;          // "INT", "TEXT", ...; empty for a flag
  std::vector<std::string> choices;
  ValueCompletion completion = ValueCompletion::None;
  bool positional = false;
  bool takes_value() const { return !value_name.empty(); }
};

struct CommandNode {
  std::vector<std::string> path;  // {"clnrm", "history", "flaky"}
  std::string description;
  std::vector<CommandOption> options;      // flags and options, in --help's order
  std::vector<CommandOption> positionals;
  std::vector<CommandNode> subcommands;
  std::string path_text(char sep = ' ') const;
};

// The tree under `app` (hidden commands and options left out).
CommandNode command_tree(const CLI::App& app);

// Every node of the tree, depth first, parents before children.
std::vector<const CommandNode*> all_commands(const CommandNode& root);

}  // namespace clnrm::cli
