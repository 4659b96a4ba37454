#pragma once
// Whether the engine runs containers in a user namespace of their own
// (dockerd --userns-remap): then a container's root is an unprivileged
// subordinate uid of the host (e.g. 100000), not the host's root, and a
// file or kernel object it reaches by some other hole is not root's. The
// Engine API shows it in GET /info: SecurityOptions holds "name=userns".

#include <string>

#include <nlohmann/json.hpp>

#include "backend/docker/docker_client.h"

namespace clnrm::docker {

// From a GET /info body (Docker: ["name=seccomp,profile=default",
// "name=userns"]; older engines: ["seccomp", "userns"]).
bool info_says_userns_remap(const nlohmann::json& info);
// Asks the engine (one GET /info). False when it cannot tell.
bool engine_remaps_root(DockerClient& client);

}  // namespace clnrm::docker
