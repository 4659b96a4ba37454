#pragma once
// What a run uses for the settings a caller may leave to cleanroom.toml:
// the caller's value, else the project's [defaults] / [images], else the
// built-in default (backend sandbox, one test per core, 5m per test, pull
// missing). `clnrm
// run` and a program embedding the library resolve them the same way
// (docs/running-tests.md, "Project settings").

#include <clnrm/duration.h>
#include <clnrm/project_config.h>

#include <optional>
#include <string>
#include <vector>

namespace clnrm {

struct SuiteOptions;

// What the caller gives; nullopt / empty = not given. The *_as names say
// where a given value came from, in RunSettings::*_from and in errors (the
// CLI passes its flags: "--jobs").
struct RunRequest {
  std::optional<std::string> backend;
  std::optional<int> jobs;
  std::optional<Duration> timeout;     // 0: no limit
  std::vector<std::string> image_map;  // FROM=TO, after the project's (later entries win)
  std::optional<PullPolicy> pull;      // the CLI: --pull, else $CLNRM_PULL (above the project's)
  std::string backend_as = "backend";
  std::string jobs_as = "jobs";
  std::string timeout_as = "timeout";
  std::string pull_as = "pull";
};

// The settings with where each came from ("--jobs", "/p/cleanroom.toml:6:8",
// "default").
struct RunSettings {
  std::string backend;
  std::string backend_from;
  int jobs = 0;  // 0: one test per core
  std::string jobs_from;
  std::optional<Duration> timeout;  // nullopt: no limit
  std::string timeout_from;
  std::vector<std::string> image_map;  // [images] first, then RunRequest::image_map
  PullPolicy pull = PullPolicy::Missing;
  std::string pull_from;
  // "backend sandbox (default), jobs 4 (/p/cleanroom.toml:6:8), timeout 5m (default), pull missing (default)"
  std::string describe() const;
};

// The built-in timeout of a test that names none: a step that hangs forever
// must not hang the run forever.
inline constexpr Duration kDefaultTestTimeout{5 * 60 * 1000};

// Throws Error(Usage), named by RunRequest::jobs_as, for jobs outside
// kMinJobs..kMaxJobs.
RunSettings resolve_run_settings(const RunRequest& request,
                                 const std::optional<ProjectConfig>& project);

// Sets `options`' backend, jobs, default test timeout, image map and pull policy.
void apply_run_settings(const RunSettings& settings, SuiteOptions& options);

}  // namespace clnrm
