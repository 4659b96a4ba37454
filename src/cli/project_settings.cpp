#include "cli/project_settings.h"

#include "cli/commands.h"

#include <clnrm/backend_choice.h>
#include <clnrm/duration.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
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

RunSettings resolve_run_settings(const RunFlags& flags, const std::optional<ProjectConfig>& config) {
  RunSettings s;
  if (!flags.backend.empty()) {
    s.backend = flags.backend;
    s.backend_from = "--backend";
  } else if (config && !config->backend.empty()) {
    s.backend = config->backend;
    s.backend_from = config->where("backend");
  } else {
    s.backend = std::string(default_backend_name());
    s.backend_from = "default";
  }

  if (flags.jobs) {
    if (*flags.jobs < kMinJobs || *flags.jobs > kMaxJobs)
      throw Error(ErrorKind::Usage,
                  fmt::format("--jobs {} is out of range: give {}..{} (leave it out for one test "
                              "per core)",
                              *flags.jobs, kMinJobs, kMaxJobs),
                  "--jobs");
    s.jobs = *flags.jobs;
    s.jobs_from = "--jobs";
  } else if (config && config->jobs) {
    s.jobs = static_cast<int>(*config->jobs);
    s.jobs_from = config->where("jobs");
  } else {
    s.jobs_from = "default";
  }

  if (flags.timeout == "0") {  // documented as "no limit"; a bare 0 needs no unit
    s.timeout = Duration(0);
    s.timeout_from = "--timeout";
  } else if (!flags.timeout.empty()) {
    s.timeout = flag_value(parse_duration(flags.timeout), "--timeout");
    s.timeout_from = "--timeout";
  } else if (config && config->timeout) {
    s.timeout = config->timeout;
    s.timeout_from = config->where("timeout");
  } else {
    s.timeout = Duration(5 * 60 * 1000);  // a step that hangs forever must not hang the run forever
    s.timeout_from = "default";
  }
  if (s.timeout && s.timeout->count() == 0) s.timeout.reset();  // 0: no limit

  if (config)
    for (const auto& [from, to] : config->images) s.image_map.push_back(from + "=" + to);
  s.image_map.insert(s.image_map.end(), flags.image_map.begin(), flags.image_map.end());
  return s;
}

std::string RunSettings::describe() const {
  return fmt::format("backend {} ({}), jobs {} ({}), timeout {} ({})", backend, backend_from,
                     jobs == 0 ? std::string("one per core") : std::to_string(jobs), jobs_from,
                     timeout ? format_duration(*timeout) : std::string("none"), timeout_from);
}

PullPolicy run_pull_policy(const std::string& flag) {
  if (!flag.empty()) return *parse_pull_policy(flag);
  const char* env = std::getenv("CLNRM_PULL");
  if (env == nullptr || *env == '\0') return PullPolicy::Missing;
  const Parsed<PullPolicy> policy = parse_pull_policy(env);
  if (!policy) throw Error(ErrorKind::Usage, "CLNRM_PULL: " + policy.error(), "CLNRM_PULL");
  return *policy;
}

}  // namespace clnrm::cli
