#pragma once
// How the commands (run, validate, health, services, cleanup) find
// cleanroom.toml: --config FILE, or the nearest cleanroom.toml from the
// current directory upward (like git and cargo: the test paths given on the
// command line do not change which file is used); --no-config reads none.
// The file's settings apply under the command line: a flag always wins.

#include <clnrm/image.h>
#include <clnrm/project_config.h>
#include <clnrm/run_settings.h>

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

// The run settings from `clnrm run`'s flags (--backend, --jobs, --timeout,
// --image-map, --pull, --pool) over what the library resolves under them
// (clnrm/run_settings.h: CLNRM_PULL / CLNRM_DOCKER_POOL, then cleanroom.toml,
// then the defaults). This only maps the flags. Throws Error(Usage) for a bad
// --timeout, --jobs, CLNRM_PULL or CLNRM_DOCKER_POOL.
struct RunFlags {
  std::string backend;
  std::optional<int> jobs;
  std::string timeout;
  std::vector<std::string> image_map;  // FROM=TO
  std::string pull;                    // --pull, already one of never|missing|always
  std::optional<int> pool{};           // --pool N (--no-pool: 0); not given: CLNRM_DOCKER_POOL
};
RunSettings run_settings_from_flags(const RunFlags& flags, const std::optional<ProjectConfig>& config);

}  // namespace clnrm::cli
