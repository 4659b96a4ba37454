#pragma once
// The network namespace of a pod's anchor container, opened by the runner so
// that Pod::connect_tcp reaches the pod's loopback the way the sandbox does
// (src/backend/netns_connect.h): readiness probes and expect_http.

#include <string>

#include "backend/docker/docker_client.h"
#include "base/unique_fd.h"

namespace clnrm::docker {

// The namespace of `container`'s process, or an invalid fd when it cannot be
// had from here: an engine not on a unix socket (it may run on another
// machine, whose PIDs mean nothing here), a container not running, a process
// that is not that container's (its /proc/PID/cgroup must name the container
// id: a PID reused in between is refused), or no permission to open it.
UniqueFd open_container_netns(DockerClient& client, const std::string& container);

}  // namespace clnrm::docker
