#pragma once
// The one walker that finds unix sockets in a host directory shared with a
// pod; used by the sandbox (src/backend/sandbox/root_view.cpp) and the docker
// backend (src/backend/docker/docker_pod.cpp).

#include <cstddef>
#include <string>
#include <vector>

namespace clnrm {

// The unix sockets under `dir` (not following symlinks, at most `max_entries`
// entries walked: Error(Config) beyond, naming the directory).
std::vector<std::string> find_unix_sockets(const std::string& dir, std::size_t max_entries = 200000);

}  // namespace clnrm
