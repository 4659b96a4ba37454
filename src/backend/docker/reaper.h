#pragma once
// The reaper (reaper.cpp) on a client the caller already has: the backend
// reaps at start on its own connection instead of negotiating a second one.

#include <clnrm/docker.h>

namespace clnrm::docker {

class DockerClient;

// reap_docker_orphans (include/clnrm/docker.h) on `client`; pool claims
// are locked in `lock_dir` (fresh_pool.h).
ReapReport reap_orphans(DockerClient& client, bool all, bool pool, const std::string& lock_dir);

}  // namespace clnrm::docker
