#pragma once
// The reaper (reaper.cpp) on a client the caller already has: the backend
// reaps at start on its own connection instead of negotiating a second one.

#include <clnrm/docker.h>

namespace clnrm::docker {

class DockerClient;
class Remover;

// reap_docker_orphans (include/clnrm/docker.h) on `client`; pool claims
// are locked in `lock_dir` (fresh_pool.h). With `later`, the containers of
// dead runners are handed to it rather than removed before this returns: a
// run started right after another would otherwise wait for the engine to
// remove what the previous run's teardown process had not yet (one DELETE,
// ~20 ms, on the path of a one-test docker run). They count as removed.
ReapReport reap_orphans(DockerClient& client, bool all, bool pool, const std::string& lock_dir,
                        Remover* later = nullptr);

}  // namespace clnrm::docker
