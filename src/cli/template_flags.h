#pragma once
// --var NAME=VALUE and --allow-env NAME: what `run` and `validate` pass to the
// parser for {{ ... }} in test files (include/clnrm/parser.h, ParseOptions).

#include <clnrm/parser.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace clnrm::cli {

struct TemplateFlags {
  std::vector<std::string> vars;       // NAME=VALUE, as given
  std::vector<std::string> allow_env;  // NAME, as given
};

void add_template_flags(CLI::App& command, TemplateFlags& flags);
// Fills `options.cli_vars` and `options.allowed_env` (values read from this
// process's environment now). Error(Usage) naming the flag for a malformed one.
void apply_template_flags(const TemplateFlags& flags, ParseOptions& options);

}  // namespace clnrm::cli
