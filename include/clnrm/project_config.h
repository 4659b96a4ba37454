#pragma once
// cleanroom.toml: per-project settings shared by every test of a repository.
//
//   [project]   name, version, description
//   [images]    "alpine:latest" = "clnrm-test/busybox"   (image name -> image to use)
//   [defaults]  backend = "auto" | "sandbox" | "docker", jobs = 4,
//               security_level = "medium", timeout = "60s",
//               pull = "never" | "missing" | "always",
//               pool = 2, pool_ttl = "10m"   (docker's fresh pool)
//   [vars]      defaults for every test file's {{ ... }} (a file's own [vars]
//               and --var override them)
//
// Upstream clnrm's sections ([cli], [containers], [observability], ...) are
// accepted with a warning that names them.
//
// The CLI finds it (src/cli/project_settings.h) and applies it under the
// command line: a flag always wins over the file, the file over built-in
// defaults (`pull` also sits under the CLNRM_PULL environment variable).

#include <clnrm/pull_policy.h>
#include <clnrm/spec.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// Tests run in parallel: the range --jobs and [defaults] jobs accept.
inline constexpr int kMinJobs = 1;
inline constexpr int kMaxJobs = 1024;
// Fresh pool containers per shape (docker): the range --pool and [defaults] pool accept.
inline constexpr int kMaxPool = 8;

struct ProjectConfig {
  std::string file;  // where it was read from; empty for defaults
  std::string name;
  std::map<std::string, std::string> images;  // as written in tests -> image actually used
  std::map<std::string, std::string> vars;    // [vars], flattened ("db.host"); ParseOptions::project_vars
  std::string backend;                        // empty = not set
  std::optional<unsigned> jobs;
  std::optional<SecurityLevel> security_level;
  std::optional<Duration> timeout;  // default whole-test timeout; 0 = no limit
  std::optional<PullPolicy> pull;   // `clnrm run`'s pull policy (under --pull and CLNRM_PULL)
  std::optional<int> pool;          // docker's fresh pool size (under --pool and CLNRM_DOCKER_POOL)
  std::optional<Duration> pool_ttl; // how long an unclaimed pool entry is kept
  std::vector<Diagnostic> warnings;
  // Where each [defaults] key was written ("backend", "jobs", ...).
  std::map<std::string, SourcePos, std::less<>> positions;

  // "cleanroom.toml:7:18" for `key` of [defaults] (the file alone when unset),
  // so messages can say which setting acted.
  std::string where(std::string_view key) const;
};

// Every diagnostic of one cleanroom.toml, and the config when it has no error.
struct ProjectConfigCheck {
  std::optional<ProjectConfig> config;
  std::vector<Diagnostic> diagnostics;  // errors and warnings, file:line:col
  bool ok() const { return config.has_value(); }
};

// Parses cleanroom.toml text; never throws for bad input.
ProjectConfigCheck check_project_config(std::string_view text, const std::string& file);
// Reads and checks a file; an unreadable file is a diagnostic.
ProjectConfigCheck check_project_config_file(const std::string& path);

// Parses cleanroom.toml text. Any error throws Error(Config) whose message
// lists every diagnostic as "file:line:col: error: ...", one per line.
ProjectConfig parse_project_config(std::string_view text, const std::string& file);
// Reads and parses a file; an unreadable file throws Error(Config).
ProjectConfig load_project_config(const std::string& path);
// The cleanroom.toml in `start_dir` or the nearest parent directory; nullopt when none.
std::optional<std::string> find_project_config(const std::string& start_dir);

// Applies [defaults] security_level to one parsed test. The project's level
// is a floor, never a ceiling: a test that names no level gets the project's;
// a test naming a higher level keeps it; a test naming a LOWER level is an
// error at the test's key (an untrusted test file must not lower the
// isolation its project asks for), returned as a diagnostic. No config level:
// nothing changes.
std::optional<Diagnostic> apply_project_security_level(const ProjectConfig& config, TestSpec& test);

}  // namespace clnrm
