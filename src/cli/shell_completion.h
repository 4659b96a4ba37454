#pragma once
// Completion scripts for bash, zsh and fish, written from the command tree
// CLI11 holds (command_tree.h): subcommands, flags, the values CLI11 knows
// a flag takes (CLI::IsMember), paths, and *.clnrm.toml files where a test
// file is expected. `clnrm completion SHELL` prints them; docs/editor-support.md.

#include <string>

#include "cli/command_tree.h"

namespace clnrm::cli {

std::string bash_completion(const CommandNode& root);
std::string zsh_completion(const CommandNode& root);
std::string fish_completion(const CommandNode& root);

}  // namespace clnrm::cli
