#include "backend/docker/endpoint.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <cstdlib>

namespace clnrm::docker {

Endpoint parse_docker_host(std::string_view host) {
  Endpoint e;
  if (host.starts_with("unix://")) {
    e.unix_socket = std::string(host.substr(7));
  } else if (host.starts_with("/")) {
    e.unix_socket = std::string(host);
  } else if (host.starts_with("tcp://") || host.starts_with("http://")) {
    std::string_view rest = host.substr(host.find("://") + 3);
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) throw Error(ErrorKind::Config, fmt::format("DOCKER_HOST '{}' has no host:port", host));
    e.base_url = "http://" + std::string(rest);
    return e;
  } else {
    throw Error(ErrorKind::Config,
                fmt::format("unsupported DOCKER_HOST '{}': clnrm speaks unix:// and tcp:// (plain HTTP) only", host));
  }
  if (e.unix_socket.empty()) throw Error(ErrorKind::Config, fmt::format("DOCKER_HOST '{}' has no socket path", host));
  e.base_url = "http://localhost";
  return e;
}

std::vector<std::string> default_socket_candidates(std::string_view xdg_runtime_dir) {
  std::vector<std::string> c{"/var/run/docker.sock"};
  if (!xdg_runtime_dir.empty()) {
    c.push_back(std::string(xdg_runtime_dir) + "/docker.sock");
    c.push_back(std::string(xdg_runtime_dir) + "/podman/podman.sock");
  }
  c.push_back("/run/podman/podman.sock");
  return c;
}

Endpoint resolve_endpoint(std::string_view explicit_host, std::string_view docker_host_env,
                          std::string_view xdg_runtime_dir, const std::function<bool(const std::string&)>& exists) {
  if (!explicit_host.empty()) return parse_docker_host(explicit_host);
  if (!docker_host_env.empty()) return parse_docker_host(docker_host_env);
  const auto candidates = default_socket_candidates(xdg_runtime_dir);
  for (const auto& path : candidates) {
    if (exists(path)) return parse_docker_host(path);
  }
  throw Error(ErrorKind::NotSupported,
              fmt::format("no Docker or Podman engine socket found (tried {}; DOCKER_HOST is not set): "
                          "start one with scripts/start-docker.sh or set DOCKER_HOST",
                          fmt::join(candidates, ", ")));
}

Endpoint resolve_endpoint_from_environment(std::string_view explicit_host) {
  const char* env = std::getenv("DOCKER_HOST");
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  return resolve_endpoint(explicit_host, env ? env : "", xdg ? xdg : "", [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
  });
}

}  // namespace clnrm::docker
