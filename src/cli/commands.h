#pragma once
// Each subcommand lives in its own file and adds itself to the CLI11 app.
// A callback stores its exit code in CliContext::exit_code (0 ok, 1 test or
// check failure, 2 usage/config error); clnrm::Error thrown from a callback is
// printed once by main and mapped through Error::exit_code().

#include <clnrm/error.h>
#include <clnrm/parsed.h>

#include <CLI/CLI.hpp>

namespace clnrm::cli {

struct CliContext {
  int exit_code = 0;
};

void add_version_command(CLI::App& app, CliContext& ctx);
void add_validate_command(CLI::App& app, CliContext& ctx);
void add_init_command(CLI::App& app, CliContext& ctx);
void add_plugins_command(CLI::App& app, CliContext& ctx);
void add_history_command(CLI::App& app, CliContext& ctx);
void add_bench_command(CLI::App& app, CliContext& ctx);
void add_health_command(CLI::App& app, CliContext& ctx);
void add_cleanup_command(CLI::App& app, CliContext& ctx);
void add_services_command(CLI::App& app, CliContext& ctx);
void add_image_command(CLI::App& app, CliContext& ctx);
void add_import_command(CLI::App& app, CliContext& ctx);
void add_run_command(CLI::App& app, CliContext& ctx);
// Written from the other commands' definitions: added last, they need all of them.
void add_schema_command(CLI::App& app, CliContext& ctx);
void add_completion_command(CLI::App& app, CliContext& ctx);
void add_man_command(CLI::App& app, CliContext& ctx);

// A flag's parsed value, or Error(Usage) naming the flag with the parser's
// reason ("--metric: unknown metric 'wall' (...)").
template <class T>
T flag_value(const Parsed<T>& parsed, const char* flag) {
  if (!parsed) throw Error(ErrorKind::Usage, parsed.error(), flag);
  return *parsed;
}

}  // namespace clnrm::cli
