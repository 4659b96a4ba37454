#pragma once
// Finding and reaching the engine: the one resolver every command uses
// (run, health, services, cleanup, the reaper). In order:
//   1. an explicit address (the CLI's --docker-host),
//   2. DOCKER_HOST (unix:// or tcp://),
//   3. CLNRM_DOCKER_SOCKET (a socket path; scripts/start-docker.sh starts its
//      engine there),
//   4. the first existing socket of: /var/run/docker.sock, /run/docker.sock,
//      rootless Docker ($XDG_RUNTIME_DIR/docker.sock), rootless Podman
//      ($XDG_RUNTIME_DIR/podman/podman.sock), rootful Podman
//      (/run/podman/podman.sock).
// An address named by 1-3 is used even when nothing answers there: the error
// then names it, instead of silently trying another engine.

#include <clnrm/parsed.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backend/docker/http_transport.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

class DockerClient;

// Parses "unix:///path", "/path", "tcp://host[:port]" (or "http://"; the
// host may be a bracketed IPv6 literal, "tcp://[::1]:2375"; the port defaults
// to 2375, Docker's plain-TCP port); other schemes (ssh://, npipe://, https://
// need TLS) are a failure whose reason reads after the text, e.g.
// "DOCKER_HOST 'ssh://h' unsupported scheme: ...".
Parsed<Endpoint> parse_docker_host(std::string_view host);

// A connected stream socket to the engine (unix or TCP, every address the
// host resolves to tried in turn), for what speaks HTTP on a raw socket (the
// attach upgrade, src/backend/docker/attach_stream.cpp; libcurl cannot hand
// back an upgraded socket). Throws Error(Io) naming the endpoint.
UniqueFd connect_engine_socket(const Endpoint& endpoint);

// An endpoint and where it came from: "--docker-host", "DOCKER_HOST",
// "CLNRM_DOCKER_SOCKET" or "default socket".
struct EngineAddress {
  Endpoint endpoint;
  std::string origin;
};

// The socket paths tried, in order, when no address is given.
std::vector<std::string> default_socket_candidates(std::string_view xdg_runtime_dir);

// What may name the engine; empty = not given.
struct EndpointSources {
  std::string_view explicit_host;    // --docker-host
  std::string_view docker_host;      // $DOCKER_HOST
  std::string_view clnrm_socket;     // $CLNRM_DOCKER_SOCKET
  std::string_view xdg_runtime_dir;  // $XDG_RUNTIME_DIR
};

// Chooses the endpoint (order above). Throws Error(NotSupported) listing
// every path tried when no source is given and no default socket exists.
EngineAddress resolve_endpoint(const EndpointSources& sources,
                               const std::function<bool(const std::string&)>& exists);

// resolve_endpoint with the process environment and the real filesystem.
EngineAddress locate_engine(std::string_view explicit_host = {});
// locate_engine(...).endpoint.
Endpoint resolve_endpoint_from_environment(std::string_view explicit_host = {});

// "unix:///x.sock (from DOCKER_HOST)".
std::string describe_with_origin(const EngineAddress& address);

// The one wording of an unreachable engine, used by every command:
// "cannot reach the Docker engine at unix:///x (from DOCKER_HOST): /x does not exist".
// For a unix socket the reason is found on the socket itself (missing, not a
// socket, permission, nobody listening) rather than taken from libcurl, which
// speaks of "localhost port 80"; `transport_error` is used otherwise.
std::string engine_unreachable_message(const EngineAddress& address,
                                       std::string_view transport_error);

// A client connected to the resolved engine (API version negotiated). When
// the engine cannot be reached, throws Error(NotSupported) with
// engine_unreachable_message followed by `hint`.
std::unique_ptr<DockerClient> connect_engine(std::string_view explicit_host, std::string_view hint);

// Empty when the resolved engine answers GET /_ping within `timeout`;
// otherwise why not, in engine_unreachable_message's words (--backend auto).
std::string engine_problem(std::string_view explicit_host, std::chrono::milliseconds timeout);

}  // namespace clnrm::docker
