#pragma once
// cleanroom.toml: per-project settings shared by every test of a repository.
//
//   [project]   name, version, description
//   [images]    "alpine:latest" = "clnrm-test/busybox"   (image name -> image to use)
//   [defaults]  backend = "auto" | "sandbox" | "docker", jobs = 4,
//               security_level = "medium", timeout = "60s"
//
// Upstream clnrm's sections ([cli], [containers], [observability], ...) are
// accepted with a warning that names them.

#include <clnrm/spec.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct ProjectConfig {
  std::string file;  // where it was read from; empty for defaults
  std::string name;
  std::map<std::string, std::string> images;  // as written in tests -> image actually used
  std::string backend;                        // empty = not set
  std::optional<unsigned> jobs;
  std::optional<SecurityLevel> security_level;
  std::optional<Duration> timeout;  // default whole-test timeout
  std::vector<Diagnostic> warnings;
};

// Parses cleanroom.toml text. Any error throws Error(Config) whose message
// lists every diagnostic as "file:line:col: error: ...", one per line.
ProjectConfig parse_project_config(std::string_view text, const std::string& file);
// Reads and parses a file; an unreadable file throws Error(Io).
ProjectConfig load_project_config(const std::string& path);
// The cleanroom.toml in `start_dir` or the nearest parent directory; nullopt when none.
std::optional<std::string> find_project_config(const std::string& start_dir);

}  // namespace clnrm
