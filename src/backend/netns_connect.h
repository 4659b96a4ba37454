#pragma once
// A TCP connection from the runner to an address on a pod's loopback, made inside
// the pod's network namespace (src/backend/netns_connect.cpp); shared by the
// sandbox (SandboxPod::connect_tcp) and docker (DockerPod::connect_tcp).

#include <clnrm/loopback.h>

#include <chrono>
#include <cstdint>

namespace clnrm {

// A connected TCP socket to address:port inside `netns_fd` (-1: the caller's
// own network), -1 when nothing accepts within `timeout`. Throws Error naming
// the step (setns, socket) that failed.
int connect_tcp_in(int netns_fd, LoopbackIpv4 address, std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace clnrm
