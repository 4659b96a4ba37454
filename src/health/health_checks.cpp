#include <clnrm/determinism.h>
#include <clnrm/docker.h>
#include <clnrm/health.h>
#include <clnrm/sandbox.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm {
namespace {

HealthCheck make(std::string category, std::string name, HealthCheck::Result result, bool required,
                 std::string detail, std::string fix = {}) {
  return HealthCheck{std::move(category), std::move(name), result, required,
                     std::move(detail),   std::move(fix)};
}

}  // namespace

bool HealthReport::sandbox_ready() const {
  for (const auto& c : checks) {
    if (c.category != "engine" && c.required && c.result == HealthCheck::Result::Fail) return false;
  }
  return true;
}

bool HealthReport::ready() const {
  for (const auto& c : checks) {
    if (c.required && c.result == HealthCheck::Result::Fail) return false;
  }
  return true;
}

std::vector<HealthCheck> check_libfaketime() {
  if (auto lib = find_libfaketime()) {
    return {make("faketime", "libfaketime", HealthCheck::Result::Ok, false, *lib)};
  }
  std::vector<std::string> paths = libfaketime_search_paths();
  return {make("faketime", "libfaketime", HealthCheck::Result::Warn, false,
               fmt::format("not found (looked in {}); [determinism] freeze_clock cannot work",
                           fmt::join(paths, ", ")),
               "apt-get install faketime (or set CLNRM_LIBFAKETIME to libfaketime.so.1)")};
}

std::vector<HealthCheck> check_history_db(const std::string& path) {
  const std::string name = "history database";
  const std::string fix_suffix = "; or pass --history-db PATH / --no-history";
  // SQLite in WAL mode writes <db>-wal and <db>-shm beside the file: the
  // directory must be writable, not only the file.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return {make("history", name, HealthCheck::Result::Warn, false,
                   path + " exists but is not a file", "remove or rename " + path + fix_suffix)};
    }
    if (::access(path.c_str(), R_OK | W_OK) != 0 || ::access(dir.c_str(), W_OK | X_OK) != 0) {
      return {make("history", name, HealthCheck::Result::Warn, false,
                   fmt::format("{} exists but {} is not writable: {}", path,
                               ::access(path.c_str(), W_OK) != 0 ? "the file" : "its directory",
                               std::strerror(errno)),
                   "chown/chmod " + path + " and " + dir + fix_suffix)};
    }
    return {
        make("history", name, HealthCheck::Result::Ok, false, path + " exists and is writable")};
  }
  // Not there yet: clnrm will create the missing directories. Find the
  // deepest existing ancestor and check we can create entries in it.
  std::string existing = dir;
  while (::stat(existing.c_str(), &st) != 0) {
    const auto slash = existing.rfind('/');
    if (slash == std::string::npos) {
      existing = ".";
      break;
    }
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
  if (::stat(existing.c_str(), &st) != 0) st = {};
  if (!S_ISDIR(st.st_mode)) {
    return {make("history", name, HealthCheck::Result::Warn, false,
                 existing + " is not a directory", "choose another location" + fix_suffix)};
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    return {make("history", name, HealthCheck::Result::Warn, false,
                 fmt::format("{} would be created in {}, which is not writable: {}", path, existing,
                             std::strerror(err)),
                 "make " + existing + " writable" + fix_suffix)};
  }
  return {make(
      "history", name, HealthCheck::Result::Ok, false,
      fmt::format("{} does not exist yet; {} is writable, so it can be created", path, existing))};
}

HealthReport run_health_checks(const HealthOptions& options) {
  HealthReport r;
  auto append = [&](std::vector<HealthCheck> checks) {
    r.checks.insert(r.checks.end(), checks.begin(), checks.end());
  };
  // The sandbox judges its own readiness: the same probe `--backend auto` asks.
  append(probe_sandbox_support().checks);
  append(check_engines(options));
  append(check_seccomp_helper(options.docker_host));
  append(check_libfaketime());
  append(check_history_db(options.history_db));
  return r;
}

// The engine checks belong to the docker backend, which knows its engine.
std::vector<HealthCheck> check_engines(const HealthOptions& options) {
  return check_docker_engine({options.docker_host, options.engine_required, options.engine_timeout});
}

std::vector<HealthCheck> check_seccomp_helper(std::string_view docker_host) {
  return check_docker_seccomp_helper(docker_host);
}

}  // namespace clnrm
