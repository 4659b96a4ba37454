#pragma once
// How the commands (run, validate, health, services, cleanup) find
// cleanroom.toml: --config FILE, or the nearest cleanroom.toml from the
// current directory upward (like git and cargo: the test paths given on the
// command line do not change which file is used); --no-config reads none.
// The file's settings apply under the command line: a flag always wins.

#include <clnrm/image.h>
#include <clnrm/project_config.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace clnrm::cli {

struct ConfigFlags {
  std::string file;   // --config FILE
  bool none = false;  // --no-config
};

// Adds --config FILE and --no-config to `cmd`.
void add_config_flags(CLI::App& cmd, ConfigFlags& flags);

// Which cleanroom.toml a command uses, if any, and one line saying so for -v
// ("project settings: /p/cleanroom.toml", "no cleanroom.toml in /p/sub or a
// parent directory", "--no-config: no cleanroom.toml read").
struct ConfigLocation {
  std::optional<std::string> path;
  std::string note;
};
// Throws Error(Usage) when --config names no readable file.
ConfigLocation locate_project_config(const ConfigFlags& flags);

// Locates and loads the file: errors throw Error(Config) listing every
// diagnostic "file:line:col: error: ..." (exit 2, like an invalid test file
// for `clnrm run`); warnings (upstream sections) are printed to stderr.
struct ProjectSettings {
  std::optional<ProjectConfig> config;
  std::string note;  // ConfigLocation::note
};
ProjectSettings load_project_settings(const ConfigFlags& flags);

// What `clnrm run`'s command line gave; empty / nullopt = not given.
struct RunFlags {
  std::string backend;
  std::optional<int> jobs;
  std::string timeout;
  std::vector<std::string> image_map;  // FROM=TO
};

// The settings a run uses, each with where it came from ("--jobs",
// "/p/cleanroom.toml:6:8", "default"), so -v can say which one acted.
struct RunSettings {
  std::string backend;
  std::string backend_from;
  int jobs = 0;  // 0: one test per core
  std::string jobs_from;
  std::optional<Duration> timeout;  // nullopt: no limit
  std::string timeout_from;
  std::vector<std::string> image_map;  // [images] first, then --image-map (later entries win)
  // "backend sandbox (default), jobs 4 (/p/cleanroom.toml:6:8), timeout 5m (default)"
  std::string describe() const;
};

// Flags over cleanroom.toml over built-in defaults (sandbox, one job per
// core, 5m). Throws Error(Usage) for --jobs outside kMinJobs..kMaxJobs or a
// bad --timeout.
RunSettings resolve_run_settings(const RunFlags& flags, const std::optional<ProjectConfig>& config);

// `clnrm run --pull`: the flag (already one of never|missing|always), else
// $CLNRM_PULL, else missing. Throws Error(Usage) for a bad CLNRM_PULL.
PullPolicy run_pull_policy(const std::string& flag);

}  // namespace clnrm::cli
