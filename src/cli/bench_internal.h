#pragma once
// Shared between the `clnrm bench` subcommand files.
#include <string>

#include "cli/commands.h"

namespace clnrm::cli {
void add_bench_record_commands(CLI::App& bench, CliContext& ctx);
// `clnrm bench run`: test files' steps as Google Benchmark JSON.
void add_bench_run_command(CLI::App& bench, CliContext& ctx);
// GITHUB_SHA, else HEAD's commit (src/base/git_head.h), else "unknown".
std::string bench_git_commit();
}  // namespace clnrm::cli
