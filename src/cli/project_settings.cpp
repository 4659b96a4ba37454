#include "cli/project_settings.h"

#include "cli/commands.h"

#include <clnrm/duration.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace clnrm::cli {

void add_config_flags(CLI::App& cmd, ConfigFlags& flags) {
  auto* config = cmd.add_option("--config", flags.file,
                                "Project settings file to use instead of the nearest "
                                "cleanroom.toml (current directory, then its parents)");
  auto* none = cmd.add_flag("--no-config", flags.none,
                            "Read no cleanroom.toml: built-in defaults and flags only");
  config->excludes(none);
}

ConfigLocation locate_project_config(const ConfigFlags& flags) {
  namespace fs = std::filesystem;
  ConfigLocation where;
  if (flags.none) {
    where.note = "--no-config: no cleanroom.toml read";
    return where;
  }
  std::error_code ec;
  if (!flags.file.empty()) {
    if (!fs::exists(flags.file, ec))
      throw Error(ErrorKind::Usage, fmt::format("{}: no such file", flags.file), "--config");
    where.path = flags.file;
    where.note = fmt::format("project settings: {} (--config)", flags.file);
    return where;
  }
  const fs::path cwd = fs::current_path(ec);
  where.path = find_project_config(ec ? std::string(".") : cwd.string());
  where.note = where.path ? fmt::format("project settings: {}", *where.path)
                          : fmt::format("no cleanroom.toml found in {} or a parent directory",
                                        ec ? std::string(".") : cwd.string());
  return where;
}

ProjectSettings load_project_settings(const ConfigFlags& flags) {
  ConfigLocation where = locate_project_config(flags);
  ProjectSettings settings;
  settings.note = std::move(where.note);
  if (!where.path) return settings;
  settings.config = load_project_config(*where.path);
  for (const Diagnostic& d : settings.config->warnings)
    std::fprintf(stderr, "%s\n", d.format().c_str());
  return settings;
}

RunSettings run_settings_from_flags(const RunFlags& flags, const std::optional<ProjectConfig>& config) {
  RunRequest request;
  if (!flags.backend.empty()) request.backend = flags.backend;
  request.jobs = flags.jobs;
  if (flags.timeout == "0")  // documented as "no limit"; a bare 0 needs no unit
    request.timeout = Duration(0);
  else if (!flags.timeout.empty())
    request.timeout = flag_value(parse_duration(flags.timeout), "--timeout");
  request.image_map = flags.image_map;
  request.backend_as = "--backend";
  request.jobs_as = "--jobs";
  request.timeout_as = "--timeout";
  if (!flags.pull.empty()) {
    request.pull = flag_value(parse_pull_policy(flags.pull), "--pull");
    request.pull_as = "--pull";
  }
  if (flags.pool) {
    request.pool = flags.pool;
    request.pool_as = "--pool";
  }
  return clnrm::resolve_run_settings(request, config);
}

}  // namespace clnrm::cli
