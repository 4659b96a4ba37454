// The engine part of `clnrm health`: does the engine `clnrm run --backend
// docker` would use answer, and which API version does it speak. The engine
// is found by the one resolver (src/backend/docker/endpoint.h) and an engine
// that does not answer is described in the same words `clnrm run` uses.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"

namespace clnrm {
namespace {

constexpr const char* kStartFix =
    "start the engine (systemctl start docker / podman system service, or "
    "scripts/start-docker.sh), or point DOCKER_HOST / --docker-host at one that runs; "
    "the sandbox backend needs no engine";

// "Docker Engine 24.0.7 (API 1.43, min API 1.12, linux amd64)" from /version.
std::string describe_version(const nlohmann::json& v) {
  std::string product = "Docker Engine";
  if (v.contains("Components") && v["Components"].is_array()) {
    for (const auto& c : v["Components"]) {
      if (c.is_object() && c.value("Name", "").find("Podman") != std::string::npos)
        product = "Podman";
    }
  }
  return fmt::format("{} {} (API {}, min API {}, {} {})", product, v.value("Version", "?"),
                     v.value("ApiVersion", "?"), v.value("MinAPIVersion", "?"), v.value("Os", "?"),
                     v.value("Arch", "?"));
}

}  // namespace

std::vector<HealthCheck> check_docker_engine(const DockerEngineCheckOptions& options) {
  docker::EngineAddress address;
  try {
    address = docker::locate_engine(options.docker_host);
  } catch (const Error& e) {
    // Nothing named an engine and no default socket exists (or a malformed
    // address): only tests naming an image are affected.
    const bool malformed = e.kind() == ErrorKind::Config;
    const bool required = malformed || options.engine_required;
    return {{"engine", "container engine",
             required ? HealthCheck::Result::Fail : HealthCheck::Result::Warn, required,
             malformed ? std::string(e.what())
                       : fmt::format("{}; tests that name an image cannot run in containers", e.what()),
             malformed ? "give DOCKER_HOST / --docker-host as unix:///path or tcp://host:port"
                       : "install docker.io and start it (scripts/start-docker.sh), or set "
                         "DOCKER_HOST=unix:///path/to.sock; the sandbox backend needs no engine"}};
  }
  // An engine someone named (or the project requires) must answer; a default
  // socket that does not is only a warning.
  const docker::Endpoint& endpoint = address.endpoint;
  const bool required = address.origin != "default socket" || options.engine_required;
  const auto bad = required ? HealthCheck::Result::Fail : HealthCheck::Result::Warn;
  const std::string name = "engine " + endpoint.describe();
  const std::string why_required =
      options.engine_required ? " (cleanroom.toml sets backend = \"docker\")" : "";
  const std::unique_ptr<docker::Transport> transport = docker::make_curl_transport(endpoint);
  docker::HttpResponse ping;
  try {
    ping = docker::send_ping(*transport, options.timeout);
  } catch (const Error& e) {
    return {{"engine", name, bad, required,
             docker::engine_unreachable_message(address, e.what()) + why_required, kStartFix}};
  }
  if (const std::string why = docker::ping_problem(ping, options.timeout); !why.empty()) {
    return {{"engine", name, bad, required,
             docker::engine_unreachable_message(address, why) + why_required, kStartFix}};
  }
  std::string detail = fmt::format("answers /_ping at {}", docker::describe_with_origin(address));
  try {
    const docker::HttpResponse version =
        transport->send({"GET", "/version", {}, {}, options.timeout});
    const auto v = nlohmann::json::parse(version.body, nullptr, false);
    if (version.status == 200 && v.is_object())
      detail = fmt::format("{} at {}", describe_version(v), docker::describe_with_origin(address));
    else
      detail += fmt::format("; GET /version answered HTTP {}", version.status);
  } catch (const Error& e) {
    detail += fmt::format("; GET /version failed: {}", e.what());
  }
  return {{"engine", name, HealthCheck::Result::Ok, required, detail, ""}};
}

}  // namespace clnrm
