#include "backend/docker/endpoint.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <charconv>
#include <optional>
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
    // "host", "host:port", "[v6]" or "[v6]:port".
    std::string_view name = rest;
    std::optional<std::string_view> port;
    if (rest.starts_with('[')) {
      const std::size_t close = rest.find(']');
      if (close == std::string_view::npos) return Parsed<Endpoint>::failure("has an unclosed '['");
      name = rest.substr(1, close - 1);
      const std::string_view after = rest.substr(close + 1);
      if (!after.empty() && !after.starts_with(':'))
        return Parsed<Endpoint>::failure("has text after ']' that is not ':port'");
      if (!after.empty()) port = after.substr(1);
    } else if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
      name = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port->find(':') != std::string_view::npos)
        return Parsed<Endpoint>::failure("names an IPv6 host without brackets (write tcp://[::1]:2375)");
    }
    if (name.empty()) return Parsed<Endpoint>::failure("has no host:port");
    e.tcp_host = std::string(name);
    e.tcp_port = 2375;
    if (port) {
      unsigned value = 0;
      const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
      if (port->empty() || ec != std::errc() || end != port->data() + port->size() || value == 0 || value > 65535)
        return Parsed<Endpoint>::failure(fmt::format("has an invalid port '{}'", *port));
      e.tcp_port = static_cast<std::uint16_t>(value);
    }
    // Always with the port: libcurl would take port 80 for a bare host.
    const bool ipv6 = e.tcp_host.find(':') != std::string::npos;
    e.base_url = fmt::format("http://{}{}{}:{}", ipv6 ? "[" : "", e.tcp_host, ipv6 ? "]" : "", e.tcp_port);
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

UniqueFd connect_engine_socket(const Endpoint& e) {
  auto fail = [&](std::string_view why) {
    throw Error(ErrorKind::Io, fmt::format("cannot connect to {}: {}", e.describe(), why));
  };
  if (!e.unix_socket.empty()) {
    sockaddr_un addr{};
    if (e.unix_socket.size() >= sizeof addr.sun_path) fail("socket path too long");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, e.unix_socket.c_str(), e.unix_socket.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      fail(std::strerror(errno));
    return fd;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(e.tcp_port);
  if (const int rc = ::getaddrinfo(e.tcp_host.c_str(), port.c_str(), &hints, &found); rc != 0 || found == nullptr)
    fail(fmt::format("cannot resolve {}: {}", e.tcp_host, rc != 0 ? ::gai_strerror(rc) : "no address"));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  int error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    UniqueFd fd(::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.valid() && ::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) {
      // A step line is one small write answered by small frames: never let
      // Nagle hold it back waiting for an ACK.
      const int one = 1;
      ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    error = errno;
  }
  fail(std::strerror(error));
  return {};  // not reached: fail throws
}

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
