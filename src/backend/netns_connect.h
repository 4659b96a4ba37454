#pragma once
// A TCP connection from the runner to a port on a pod's loopback, made inside
// the pod's network namespace (src/backend/netns_connect.cpp); shared by the
// sandbox (SandboxPod::connect_tcp) and docker (DockerPod::connect_tcp).

#include <chrono>
#include <cstdint>

namespace clnrm {

// A connected TCP socket to 127.0.0.1:port inside `netns_fd` (-1: the
// caller's own network), -1 when nothing accepts within `timeout`. Throws
// Error naming the step (setns, socket) that failed.
int connect_tcp_in(int netns_fd, std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace clnrm
