#pragma once
// What a run uses for the settings a caller may leave to cleanroom.toml:
// the caller's value, else the environment (CLNRM_PULL, CLNRM_DOCKER_POOL),
// else the project's [defaults] / [images], else the built-in default
// (backend sandbox, one test per core, 5m per test, pull missing, pool 2).
// `clnrm run` and a program embedding the library resolve them the same way
// (docs/running-tests.md, "Project settings").

#include <clnrm/duration.h>
#include <clnrm/parsed.h>
#include <clnrm/project_config.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct SuiteOptions;

// Docker's fresh pool (docs/docker-backend.md, "Fresh pool"): two entries per
// shape, so back-to-back runs find one while the previous run's refill is
// still starting; unclaimed ones go after ten minutes.
inline constexpr int kDefaultPool = 2;
inline constexpr Duration kDefaultPoolTtl{10 * 60 * 1000};

// What the caller gives; nullopt / empty = not given. The *_as names say
// where a given value came from, in RunSettings::*_from and in errors (the
// CLI passes its flags: "--jobs").
struct RunRequest {
  std::optional<std::string> backend;
  std::optional<int> jobs;
  std::optional<Duration> timeout;     // 0: no limit
  std::vector<std::string> image_map;  // FROM=TO, after the project's (later entries win)
  std::optional<PullPolicy> pull;      // the CLI: --pull; not given: $CLNRM_PULL, then the project's
  std::optional<int> pool;             // the CLI: --pool / --no-pool; not given: $CLNRM_DOCKER_POOL, then the project's
  // Read CLNRM_PULL and CLNRM_DOCKER_POOL (set and not empty) for a pull
  // policy / pool the caller left out: a CI job's environment sits above the
  // project's file. false: the caller's values and the file only.
  bool environment = true;
  std::string backend_as = "backend";
  std::string jobs_as = "jobs";
  std::string timeout_as = "timeout";
  std::string pull_as = "pull";
  std::string pool_as = "pool";
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
  int pool = kDefaultPool;  // docker's fresh pool per shape; 0: off
  std::string pool_from;
  Duration pool_ttl = kDefaultPoolTtl;
  std::string pool_ttl_from;
  // "backend sandbox (default), jobs 4 (/p/cleanroom.toml:6:8), timeout 5m (default), pull missing (default)"
  std::string describe() const;
};

// The built-in timeout of a test that names none: a step that hangs forever
// must not hang the run forever.
inline constexpr Duration kDefaultTestTimeout{5 * 60 * 1000};

// Throws Error(Usage), named by RunRequest::jobs_as, for jobs outside
// kMinJobs..kMaxJobs, by pool_as for a pool outside 0..kMaxPool, and by the
// variable for a CLNRM_PULL or CLNRM_DOCKER_POOL that does not parse
// ("CLNRM_DOCKER_POOL: 'two' is not a number (0..8)") or is out of range.
RunSettings resolve_run_settings(const RunRequest& request,
                                 const std::optional<ProjectConfig>& project);

// The text of a pool size (CLNRM_DOCKER_POOL): a whole number; the range
// 0..kMaxPool is resolve_run_settings's check.
Parsed<int> parse_pool_size(std::string_view text);

// Sets `options`' backend, jobs, default test timeout, image map, pull policy and pool.
void apply_run_settings(const RunSettings& settings, SuiteOptions& options);

}  // namespace clnrm
