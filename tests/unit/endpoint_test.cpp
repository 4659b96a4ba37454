#include "backend/docker/endpoint.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "base/unique_fd.h"

namespace clnrm::docker {
namespace {

auto exists_in(std::set<std::string> paths) {
  return [paths](const std::string& p) { return paths.count(p) != 0; };
}

TEST(Endpoint, ParsesUnixAndTcpHosts) {
  auto u = parse_docker_host("unix:///var/run/docker.sock").value();
  EXPECT_EQ(u.unix_socket, "/var/run/docker.sock");
  EXPECT_EQ(u.base_url, "http://localhost");
  EXPECT_EQ(u.describe(), "unix:///var/run/docker.sock");
  auto t = parse_docker_host("tcp://127.0.0.1:2375/").value();
  EXPECT_EQ(t.unix_socket, "");
  EXPECT_EQ(t.base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(t.describe(), "tcp://127.0.0.1:2375");
  EXPECT_EQ(parse_docker_host("/run/podman/podman.sock")->unix_socket, "/run/podman/podman.sock");
  EXPECT_NE(parse_docker_host("ssh://host").error().find("unsupported scheme"), std::string::npos);
  EXPECT_EQ(parse_docker_host("unix://").error(), "has no socket path");
  EXPECT_EQ(parse_docker_host("tcp://").error(), "has no host:port");
}

// parse_docker_host is the one reader of a tcp:// address: the libcurl
// transport (base_url) and the raw-socket connector (tcp_host, tcp_port)
// both take it from there.
TEST(Endpoint, TcpHostsSplitIntoHostAndPortWithBracketsAndTheDefaultPort) {
  const Endpoint v6 = parse_docker_host("tcp://[::1]:2376").value();
  EXPECT_EQ(v6.tcp_host, "::1");
  EXPECT_EQ(v6.tcp_port, 2376);
  EXPECT_EQ(v6.base_url, "http://[::1]:2376");
  EXPECT_EQ(v6.describe(), "tcp://[::1]:2376");
  const Endpoint bare = parse_docker_host("tcp://engine.local").value();
  EXPECT_EQ(bare.tcp_host, "engine.local");
  EXPECT_EQ(bare.tcp_port, 2375);
  EXPECT_EQ(bare.base_url, "http://engine.local:2375");  // libcurl would take port 80 for a bare host
  EXPECT_EQ(parse_docker_host("tcp://[::1]")->base_url, "http://[::1]:2375");
  EXPECT_EQ(parse_docker_host("tcp://127.0.0.1:0").error(), "has an invalid port '0'");
  EXPECT_EQ(parse_docker_host("tcp://h:x").error(), "has an invalid port 'x'");
  EXPECT_EQ(parse_docker_host("tcp://[::1").error(), "has an unclosed '['");
  EXPECT_NE(parse_docker_host("tcp://::1:2375").error().find("without brackets"), std::string::npos);
}

// The raw-socket connector (the attach upgrade's) reaches an engine named by
// a bracketed IPv6 literal, and says which endpoint it could not reach.
TEST(Endpoint, TheEngineSocketConnectorReachesAnIpv6Literal) {
  UniqueFd listener(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin6_port);
  const UniqueFd fd = connect_engine_socket(parse_docker_host(fmt::format("tcp://[::1]:{}", port)).value());
  EXPECT_TRUE(fd.valid());
  listener.reset();  // nothing listens there any more
  try {
    connect_engine_socket(parse_docker_host(fmt::format("tcp://[::1]:{}", port)).value());
    ADD_FAILURE() << "connected to a closed port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find(fmt::format("cannot connect to tcp://[::1]:{}", port)), std::string::npos)
        << e.what();
  }
}

TEST(Endpoint, AMalformedAddressIsAConfigErrorNamingItsOrigin) {
  try {
    resolve_endpoint({"", "ssh://host", "", ""}, exists_in({"/var/run/docker.sock"}));
    ADD_FAILURE() << "accepted ssh://";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("DOCKER_HOST 'ssh://host' unsupported scheme"), std::string::npos)
        << e.what();
  }
}

TEST(Endpoint, CandidatesIncludeRootlessDockerAndPodman) {
  auto c = default_socket_candidates("/run/user/1000");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0], "/var/run/docker.sock");
  EXPECT_EQ(c[1], "/run/docker.sock");
  EXPECT_EQ(c[2], "/run/user/1000/docker.sock");
  EXPECT_EQ(c[3], "/run/user/1000/podman/podman.sock");
  EXPECT_EQ(c[4], "/run/podman/podman.sock");
  EXPECT_EQ(default_socket_candidates("").size(), 3u);
}

TEST(Endpoint, FlagBeatsDockerHostBeatsClnrmSocketBeatsDefaults) {
  auto any = exists_in({"/var/run/docker.sock"});
  auto e = resolve_endpoint({"unix:///a.sock", "unix:///b.sock", "/c.sock", ""}, any);
  EXPECT_EQ(e.endpoint.unix_socket, "/a.sock");
  EXPECT_EQ(e.origin, "--docker-host");
  e = resolve_endpoint({"", "tcp://127.0.0.1:2375", "/c.sock", ""}, any);
  EXPECT_EQ(e.endpoint.base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(e.origin, "DOCKER_HOST");
  e = resolve_endpoint({"", "", "/c.sock", ""}, any);
  EXPECT_EQ(e.endpoint.unix_socket, "/c.sock");
  EXPECT_EQ(e.origin, "CLNRM_DOCKER_SOCKET");
  e = resolve_endpoint({"", "", "", ""}, any);
  EXPECT_EQ(e.endpoint.unix_socket, "/var/run/docker.sock");
  EXPECT_EQ(e.origin, "default socket");
}

TEST(Endpoint, ANamedSocketIsUsedEvenWhenItDoesNotExist) {
  // Falling back to another engine would hide the mistake.
  const auto e =
      resolve_endpoint({"", "unix:///nonexistent", "", ""}, exists_in({"/var/run/docker.sock"}));
  EXPECT_EQ(e.endpoint.unix_socket, "/nonexistent");
  EXPECT_EQ(describe_with_origin(e), "unix:///nonexistent (from DOCKER_HOST)");
}

TEST(Endpoint, UnreachableMessageNamesEndpointOriginAndReason) {
  const EngineAddress e{parse_docker_host("unix:///nonexistent/docker.sock").value(), "DOCKER_HOST"};
  EXPECT_EQ(engine_unreachable_message(e, "Failed to connect to localhost port 80"),
            "cannot reach the Docker engine at unix:///nonexistent/docker.sock (from DOCKER_HOST): "
            "/nonexistent/docker.sock: no such file");
  const EngineAddress file{parse_docker_host("/etc/hostname").value(), "CLNRM_DOCKER_SOCKET"};
  EXPECT_NE(engine_unreachable_message(file, "x").find("/etc/hostname is not a socket"),
            std::string::npos);
  const EngineAddress tcp{parse_docker_host("tcp://127.0.0.1:1").value(), "--docker-host"};
  EXPECT_EQ(engine_unreachable_message(tcp, "connection refused"),
            "cannot reach the Docker engine at tcp://127.0.0.1:1 (from --docker-host): connection "
            "refused");
}

TEST(Endpoint, FallsThroughToPodmanSockets) {
  EXPECT_EQ(resolve_endpoint({"", "", "", "/run/user/7"}, exists_in({"/run/user/7/podman/podman.sock"}))
                .endpoint.unix_socket,
            "/run/user/7/podman/podman.sock");
  EXPECT_EQ(resolve_endpoint({"", "", "", "/run/user/7"}, exists_in({"/run/podman/podman.sock"}))
                .endpoint.unix_socket,
            "/run/podman/podman.sock");
}

TEST(Endpoint, NothingFoundListsEveryPathTried) {
  try {
    resolve_endpoint({"", "", "", "/run/user/7"}, exists_in({}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotSupported);
    const std::string m = e.what();
    EXPECT_NE(m.find("/run/user/7/podman/podman.sock"), std::string::npos) << m;
    EXPECT_NE(m.find("scripts/start-docker.sh"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace clnrm::docker
