#pragma once
// `clnrm health`: can this machine run cleanrooms? Each check says what it
// found and, when something is missing, how to fix it. Only checks the
// sandbox backend cannot work without are `required`; the rest (cgroups,
// engine, libfaketime, history DB) degrade single features and are warnings.

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace clnrm {

struct HealthCheck {
  enum class Result { Ok, Warn, Fail };
  std::string category;  // "namespaces", "cgroups", "engine", "faketime", "history"
  std::string name;      // "user namespace", "cgroup v1 memory", "docker /var/run/docker.sock", ...
  Result result = Result::Ok;
  bool required = false;  // the sandbox cannot run when this fails
  std::string detail;     // what was found
  std::string fix;        // what to do (empty when ok)
};
std::string_view to_string(HealthCheck::Result result) noexcept;

struct HealthReport {
  std::vector<HealthCheck> checks;
  // No required check failed.
  bool sandbox_ready() const;
};

struct HealthOptions {
  std::string history_db = ".clnrm/history.db";
  // Engine sockets to probe; empty: DOCKER_HOST (unix://), CLNRM_DOCKER_SOCKET,
  // /var/run/docker.sock, /run/docker.sock, /run/podman/podman.sock,
  // $XDG_RUNTIME_DIR/podman/podman.sock.
  std::vector<std::string> engine_sockets;
  std::chrono::milliseconds engine_timeout{2000};
};

// One check per namespace kind: user, pid, mount, net, uts, ipc, cgroup.
// Each is tried in a forked child calling unshare(2).
std::vector<HealthCheck> check_namespaces();
// Layout (v1 / v2 / hybrid), controllers, and whether clnrm can create a cgroup.
std::vector<HealthCheck> check_cgroups();
// GET /_ping and /version over each engine socket (libcurl, unix socket).
std::vector<HealthCheck> check_engines(const HealthOptions& options);
std::vector<HealthCheck> check_libfaketime();
// Is clnrm-seccomp-exec there for a local engine (clnrm's seccomp list in containers at high)?
std::vector<HealthCheck> check_seccomp_helper();
std::vector<HealthCheck> check_history_db(const std::string& path);

HealthReport run_health_checks(const HealthOptions& options = {});

std::string render_health_human(const HealthReport& report);
// {"sandbox_ready":bool,"checks":[{"category","name","status","required","detail","fix"}]}
nlohmann::json health_to_json(const HealthReport& report);

}  // namespace clnrm
