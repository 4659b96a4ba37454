#pragma once
// `clnrm health`: can this machine run cleanrooms? Each check says what it
// found and, when something is missing, how to fix it. Only checks the
// sandbox backend cannot work without are `required`; the rest (cgroups,
// engine, libfaketime, history DB) degrade single features and are warnings.

#include <clnrm/health_check.h>

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace clnrm {

struct HealthReport {
  std::vector<HealthCheck> checks;
  // No required check of the sandbox (any category but "engine") failed.
  bool sandbox_ready() const;
  // No required check failed: the sandbox can run and an engine that was
  // asked for (--docker-host, DOCKER_HOST, CLNRM_DOCKER_SOCKET, or
  // backend = "docker" in cleanroom.toml) answers. Decides the exit code.
  bool ready() const;
};

struct HealthOptions {
  std::string history_db = ".clnrm/history.db";
  // The engine to check (--docker-host); empty: the resolver's order
  // (src/backend/docker/endpoint.h), the same engine `clnrm run` would use.
  std::string docker_host;
  // The project runs its tests on docker (cleanroom.toml backend = "docker"):
  // an engine that does not answer is then a failure, not a warning.
  bool engine_required = false;
  std::chrono::milliseconds engine_timeout{2000};
};

// The sandbox's namespaces, mount API and cgroup limits are not checked here:
// the sandbox judges them itself (probe_sandbox_support, clnrm/sandbox.h, the
// same probe `--backend auto` asks) and run_health_checks reports its checks.
// GET /_ping and /version on the engine the resolver picks (the one
// `clnrm run --backend docker` uses). Named explicitly (--docker-host,
// DOCKER_HOST, CLNRM_DOCKER_SOCKET) or required by the project and not
// answering: a required failure; otherwise only a warning.
std::vector<HealthCheck> check_engines(const HealthOptions& options);
std::vector<HealthCheck> check_libfaketime();
// Is clnrm-seccomp-exec there for a local engine (clnrm's seccomp list in containers at high)?
std::vector<HealthCheck> check_seccomp_helper(std::string_view docker_host = {});
std::vector<HealthCheck> check_history_db(const std::string& path);

HealthReport run_health_checks(const HealthOptions& options = {});

std::string render_health_human(const HealthReport& report);
// {"sandbox_ready":bool,"checks":[{"category","name","status","required","detail","fix"}]}
nlohmann::json health_to_json(const HealthReport& report);

}  // namespace clnrm
