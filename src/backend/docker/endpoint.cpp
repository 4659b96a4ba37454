#include "backend/docker/endpoint.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "backend/docker/docker_client.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

Parsed<Endpoint> parse_docker_host(std::string_view host) {
  Endpoint e;
  if (host.starts_with("unix://")) {
    e.unix_socket = std::string(host.substr(7));
  } else if (host.starts_with("/")) {
    e.unix_socket = std::string(host);
  } else if (host.starts_with("tcp://") || host.starts_with("http://")) {
    std::string_view rest = host.substr(host.find("://") + 3);
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) return Parsed<Endpoint>::failure("has no host:port");
    e.base_url = "http://" + std::string(rest);
    return e;
  } else {
    return Parsed<Endpoint>::failure(
        "unsupported scheme: clnrm speaks unix:// and tcp:// (plain HTTP) only");
  }
  if (e.unix_socket.empty()) return Parsed<Endpoint>::failure("has no socket path");
  e.base_url = "http://localhost";
  return e;
}

std::vector<std::string> default_socket_candidates(std::string_view xdg_runtime_dir) {
  std::vector<std::string> c{"/var/run/docker.sock", "/run/docker.sock"};
  if (!xdg_runtime_dir.empty()) {
    c.push_back(std::string(xdg_runtime_dir) + "/docker.sock");
    c.push_back(std::string(xdg_runtime_dir) + "/podman/podman.sock");
  }
  c.push_back("/run/podman/podman.sock");
  return c;
}

EngineAddress resolve_endpoint(const EndpointSources& sources,
                               const std::function<bool(const std::string&)>& exists) {
  auto from = [](std::string_view text, std::string_view origin) {
    const auto parsed = parse_docker_host(text);
    if (!parsed)
      throw Error(ErrorKind::Config, fmt::format("{} '{}' {}", origin, text, parsed.error()));
    return EngineAddress{*parsed, std::string(origin)};
  };
  if (!sources.explicit_host.empty()) return from(sources.explicit_host, "--docker-host");
  if (!sources.docker_host.empty()) return from(sources.docker_host, "DOCKER_HOST");
  if (!sources.clnrm_socket.empty()) return from(sources.clnrm_socket, "CLNRM_DOCKER_SOCKET");
  const auto candidates = default_socket_candidates(sources.xdg_runtime_dir);
  for (const auto& path : candidates) {
    if (exists(path)) return from(path, "default socket");
  }
  throw Error(ErrorKind::NotSupported,
              fmt::format("no Docker or Podman engine socket found (tried {}; DOCKER_HOST and "
                          "CLNRM_DOCKER_SOCKET are not set): start one with scripts/start-docker.sh "
                          "or set DOCKER_HOST",
                          fmt::join(candidates, ", ")));
}

EngineAddress locate_engine(std::string_view explicit_host) {
  auto env = [](const char* name) -> std::string_view {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  EndpointSources sources{explicit_host, env("DOCKER_HOST"), env("CLNRM_DOCKER_SOCKET"),
                          env("XDG_RUNTIME_DIR")};
  return resolve_endpoint(sources, [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
  });
}

Endpoint resolve_endpoint_from_environment(std::string_view explicit_host) {
  return locate_engine(explicit_host).endpoint;
}

std::string describe_with_origin(const EngineAddress& address) {
  if (address.origin.empty()) return address.endpoint.describe();
  return fmt::format("{} (from {})", address.endpoint.describe(), address.origin);
}

namespace {

// Why nothing answers on a unix socket, found on the socket itself; empty
// when a connect succeeds (then the engine failed later: the transport's
// error says how).
std::string unix_socket_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fmt::format("{}: {}", path, errno == ENOENT ? "no such file" : std::strerror(errno));
  if (!S_ISSOCK(st.st_mode)) return fmt::format("{} is not a socket", path);
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return {};
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return {};
  const int err = errno;
  if (err == ECONNREFUSED) return fmt::format("nothing listens on {} (connection refused)", path);
  return fmt::format("connecting to {}: {}", path, std::strerror(err));
}

}  // namespace

std::string engine_unreachable_message(const EngineAddress& address,
                                       std::string_view transport_error) {
  std::string why;
  if (!address.endpoint.unix_socket.empty()) why = unix_socket_problem(address.endpoint.unix_socket);
  if (why.empty()) why = std::string(transport_error);
  return fmt::format("cannot reach the Docker engine at {}: {}", describe_with_origin(address), why);
}

std::unique_ptr<DockerClient> connect_engine(std::string_view explicit_host, std::string_view hint) {
  const EngineAddress address = locate_engine(explicit_host);
  auto client = std::make_unique<DockerClient>(make_curl_transport(address.endpoint));
  try {
    client->connect();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Io && e.kind() != ErrorKind::Timeout) throw;
    std::string message = engine_unreachable_message(address, e.what());
    if (!hint.empty()) message += fmt::format(". {}", hint);
    throw Error(ErrorKind::NotSupported, message);
  }
  return client;
}

std::string engine_problem(std::string_view explicit_host, std::chrono::milliseconds timeout) {
  EngineAddress address;
  try {
    address = locate_engine(explicit_host);
  } catch (const Error& e) {
    return e.what();
  }
  try {
    const std::string why = ping_problem(send_ping(*make_curl_transport(address.endpoint), timeout), timeout);
    return why.empty() ? std::string() : engine_unreachable_message(address, why);
  } catch (const Error& e) {
    return engine_unreachable_message(address, e.what());
  }
}

}  // namespace clnrm::docker

namespace clnrm {

std::string docker_engine_problem(std::string_view explicit_host, std::chrono::milliseconds timeout) {
  return docker::engine_problem(explicit_host, timeout);
}

}  // namespace clnrm
