#include "backend/docker/endpoint.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <set>

namespace clnrm::docker {
namespace {

auto exists_in(std::set<std::string> paths) {
  return [paths](const std::string& p) { return paths.count(p) != 0; };
}

TEST(Endpoint, ParsesUnixAndTcpHosts) {
  auto u = parse_docker_host("unix:///var/run/docker.sock");
  EXPECT_EQ(u.unix_socket, "/var/run/docker.sock");
  EXPECT_EQ(u.base_url, "http://localhost");
  EXPECT_EQ(u.describe(), "unix:///var/run/docker.sock");
  auto t = parse_docker_host("tcp://127.0.0.1:2375/");
  EXPECT_EQ(t.unix_socket, "");
  EXPECT_EQ(t.base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(t.describe(), "tcp://127.0.0.1:2375");
  EXPECT_EQ(parse_docker_host("/run/podman/podman.sock").unix_socket, "/run/podman/podman.sock");
  EXPECT_THROW(parse_docker_host("ssh://host"), Error);
  EXPECT_THROW(parse_docker_host("unix://"), Error);
  EXPECT_THROW(parse_docker_host("tcp://"), Error);
}

TEST(Endpoint, CandidatesIncludeRootlessDockerAndPodman) {
  auto c = default_socket_candidates("/run/user/1000");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], "/var/run/docker.sock");
  EXPECT_EQ(c[1], "/run/user/1000/docker.sock");
  EXPECT_EQ(c[2], "/run/user/1000/podman/podman.sock");
  EXPECT_EQ(c[3], "/run/podman/podman.sock");
  EXPECT_EQ(default_socket_candidates("").size(), 2u);
}

TEST(Endpoint, ExplicitHostBeatsDockerHostBeatsSockets) {
  auto any = exists_in({"/var/run/docker.sock"});
  EXPECT_EQ(resolve_endpoint("unix:///a.sock", "unix:///b.sock", "", any).unix_socket, "/a.sock");
  EXPECT_EQ(resolve_endpoint("", "tcp://127.0.0.1:2375", "", any).base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(resolve_endpoint("", "", "", any).unix_socket, "/var/run/docker.sock");
}

TEST(Endpoint, FallsThroughToPodmanSockets) {
  EXPECT_EQ(resolve_endpoint("", "", "/run/user/7", exists_in({"/run/user/7/podman/podman.sock"})).unix_socket,
            "/run/user/7/podman/podman.sock");
  EXPECT_EQ(resolve_endpoint("", "", "/run/user/7", exists_in({"/run/podman/podman.sock"})).unix_socket,
            "/run/podman/podman.sock");
}

TEST(Endpoint, NothingFoundListsEveryPathTried) {
  try {
    resolve_endpoint("", "", "/run/user/7", exists_in({}));
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
