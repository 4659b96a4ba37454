#pragma once
// clnrm(1): a man page written from the command tree CLI11 holds
// (command_tree.h), i.e. from what --help shows: every command with its
// description, options and arguments. `clnrm man` prints it; the build writes
// it to man/clnrm.1 and `cmake --install` puts it in share/man/man1.

#include <string>

#include "cli/command_tree.h"

namespace clnrm::cli {

// `version` goes into the page's footer.
std::string man_page(const CommandNode& root, const std::string& version);

}  // namespace clnrm::cli
