// The seccomp part of `clnrm health`: can the docker backend stack clnrm's
// seccomp filter on the engine's profile at level high (docs/security.md)?
#include <clnrm/error.h>
#include <clnrm/docker.h>
#include <fmt/format.h>

#include "backend/docker/endpoint.h"
#include "backend/docker/seccomp_helper.h"

namespace clnrm {

std::vector<HealthCheck> check_docker_seccomp_helper(std::string_view docker_host) {
  docker::Endpoint engine;
  try {
    engine = docker::resolve_endpoint_from_environment(docker_host);
  } catch (const Error&) {
    // No engine at all: the engine check says so; judge the helper alone.
    engine.unix_socket = "/var/run/docker.sock";
  }
  const docker::SeccompHelper helper = docker::find_seccomp_helper(engine, {});
  const std::string name = "seccomp helper (level high)";
  if (helper.available()) {
    return {{"engine", name, HealthCheck::Result::Ok, false,
             fmt::format("{}: at high clnrm's seccomp list is stacked on the engine's profile",
                         helper.host_path),
             ""}};
  }
  return {{"engine", name, HealthCheck::Result::Warn, false,
           fmt::format("{}; containers at high get the engine's default seccomp profile only",
                       helper.why_not),
           engine.unix_socket.empty()
               ? "use a local engine (unix socket) for high tests, or the sandbox backend"
               : "build it (cmake --build --preset dev --target clnrm_seccomp_exec) and keep it "
                 "next to clnrm, or set "
                 "CLNRM_SECCOMP_EXEC=/path/to/clnrm-seccomp-exec"}};
}

}  // namespace clnrm
