// The caller over the environment over cleanroom.toml over built-in defaults
// (clnrm/run_settings.h).
#include <clnrm/run_settings.h>

#include <clnrm/backend_choice.h>
#include <clnrm/error.h>
#include <clnrm/pull_policy.h>
#include <clnrm/suite.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace clnrm {

Parsed<int> parse_pool_size(std::string_view text) {
  int n = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return Parsed<int>::failure(fmt::format("'{}' is not a number (0..{})", text, kMaxPool));
  return n;
}

namespace {

// The variable's text when the caller reads the environment and it is set
// and not empty ("CLNRM_PULL=" is not set).
std::optional<std::string_view> environment_value(const RunRequest& request, const char* name) {
  if (!request.environment) return std::nullopt;
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string_view(value);
}

// Fills request.pull / request.pool from CLNRM_PULL / CLNRM_DOCKER_POOL where
// the caller gave none; a value that does not parse is a usage error naming
// the variable.
RunRequest with_environment(RunRequest request) {
  if (!request.pull)
    if (const auto text = environment_value(request, "CLNRM_PULL")) {
      const Parsed<PullPolicy> policy = parse_pull_policy(*text);
      if (!policy) throw Error(ErrorKind::Usage, "CLNRM_PULL: " + policy.error(), "CLNRM_PULL");
      request.pull = *policy;
      request.pull_as = "CLNRM_PULL";
    }
  if (!request.pool)
    if (const auto text = environment_value(request, "CLNRM_DOCKER_POOL")) {
      const Parsed<int> pool = parse_pool_size(*text);
      if (!pool) throw Error(ErrorKind::Usage, "CLNRM_DOCKER_POOL: " + pool.error(), "CLNRM_DOCKER_POOL");
      request.pool = *pool;
      request.pool_as = "CLNRM_DOCKER_POOL";
    }
  return request;
}

}  // namespace

RunSettings resolve_run_settings(const RunRequest& given,
                                 const std::optional<ProjectConfig>& project) {
  const RunRequest request = with_environment(given);
  RunSettings s;
  if (request.backend && !request.backend->empty()) {
    s.backend = *request.backend;
    s.backend_from = request.backend_as;
  } else if (project && !project->backend.empty()) {
    s.backend = project->backend;
    s.backend_from = project->where("backend");
  } else {
    s.backend = std::string(default_backend_name());
    s.backend_from = "default";
  }

  if (request.jobs) {
    if (*request.jobs < kMinJobs || *request.jobs > kMaxJobs)
      throw Error(ErrorKind::Usage,
                  fmt::format("{} {} is out of range: give {}..{} (leave it out for one test "
                              "per core)",
                              request.jobs_as, *request.jobs, kMinJobs, kMaxJobs),
                  request.jobs_as);
    s.jobs = *request.jobs;
    s.jobs_from = request.jobs_as;
  } else if (project && project->jobs) {
    s.jobs = static_cast<int>(*project->jobs);
    s.jobs_from = project->where("jobs");
  } else {
    s.jobs_from = "default";
  }

  if (request.timeout) {
    s.timeout = request.timeout;
    s.timeout_from = request.timeout_as;
  } else if (project && project->timeout) {
    s.timeout = project->timeout;
    s.timeout_from = project->where("timeout");
  } else {
    s.timeout = kDefaultTestTimeout;
    s.timeout_from = "default";
  }
  if (s.timeout && s.timeout->count() == 0) s.timeout.reset();  // 0: no limit

  if (project)
    for (const auto& [from, to] : project->images) s.image_map.push_back(from + "=" + to);
  s.image_map.insert(s.image_map.end(), request.image_map.begin(), request.image_map.end());

  if (request.pull) {
    s.pull = *request.pull;
    s.pull_from = request.pull_as;
  } else if (project && project->pull) {
    s.pull = *project->pull;
    s.pull_from = project->where("pull");
  } else {
    s.pull_from = "default";
  }

  if (request.pool) {
    if (*request.pool < 0 || *request.pool > kMaxPool)
      throw Error(ErrorKind::Usage,
                  fmt::format("{} {} is out of range: give 0..{} (0 switches the pool off)", request.pool_as,
                              *request.pool, kMaxPool),
                  request.pool_as);
    s.pool = *request.pool;
    s.pool_from = request.pool_as;
  } else if (project && project->pool) {
    s.pool = *project->pool;
    s.pool_from = project->where("pool");
  } else {
    s.pool_from = "default";
  }
  if (project && project->pool_ttl) {
    s.pool_ttl = *project->pool_ttl;
    s.pool_ttl_from = project->where("pool_ttl");
  } else {
    s.pool_ttl_from = "default";
  }
  return s;
}

std::string RunSettings::describe() const {
  return fmt::format("backend {} ({}), jobs {} ({}), timeout {} ({}), pull {} ({}), pool {} ({}) ttl {} ({})",
                     backend, backend_from, jobs == 0 ? std::string("one per core") : std::to_string(jobs),
                     jobs_from, timeout ? format_duration(*timeout) : std::string("none"), timeout_from,
                     to_string(pull), pull_from, pool == 0 ? std::string("off") : std::to_string(pool), pool_from,
                     format_duration(pool_ttl), pool_ttl_from);
}

void apply_run_settings(const RunSettings& settings, SuiteOptions& options) {
  options.backend = settings.backend;
  options.run.jobs = settings.jobs;
  options.run.default_test_timeout = settings.timeout;
  options.backend_options.image_map = settings.image_map;
  options.backend_options.image_pull = settings.pull;
  // The backend's errors name where its name came from ("--backend",
  // "/p/cleanroom.toml:4:11"); a default was named by nobody.
  if (settings.backend_from != "default") options.backend_options.name_as = settings.backend_from;
  options.backend_options.pool = settings.pool;
  options.backend_options.pool_ttl = settings.pool_ttl;
}

}  // namespace clnrm
