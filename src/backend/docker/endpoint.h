#pragma once
// Finding the engine: DOCKER_HOST (unix:// or tcp://) when set, else the
// first existing socket of: /var/run/docker.sock, rootless Docker
// ($XDG_RUNTIME_DIR/docker.sock), rootless Podman
// ($XDG_RUNTIME_DIR/podman/podman.sock), rootful Podman (/run/podman/podman.sock).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/docker/http_transport.h"

namespace clnrm::docker {

// Parses "unix:///path", "/path", "tcp://host:port" (or "http://"). Throws
// Error(Config) for other schemes (ssh://, npipe://, https:// need TLS).
Endpoint parse_docker_host(std::string_view host);

// The socket paths tried, in order, when DOCKER_HOST is not set.
std::vector<std::string> default_socket_candidates(std::string_view xdg_runtime_dir);

// Chooses the endpoint. `explicit_host` (an option) wins over `docker_host_env`;
// otherwise the first candidate for which `exists` is true. Throws
// Error(NotSupported) listing every path tried when none exists.
Endpoint resolve_endpoint(std::string_view explicit_host, std::string_view docker_host_env,
                          std::string_view xdg_runtime_dir, const std::function<bool(const std::string&)>& exists);

// resolve_endpoint with the process environment and the real filesystem.
Endpoint resolve_endpoint_from_environment(std::string_view explicit_host = {});

}  // namespace clnrm::docker
