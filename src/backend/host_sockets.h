#pragma once
// The one walker that finds unix sockets in a host directory shared with a
// pod; used by the sandbox (src/backend/sandbox/root_view.cpp) and the docker
// backend (src/backend/docker/docker_pod.cpp).

#include <cstddef>
#include <string>
#include <vector>

namespace clnrm {

inline constexpr std::size_t kMaxSocketWalkEntries = 200000;

struct SocketWalk {
  std::vector<std::string> sockets;  // absolute paths
  std::size_t dirs_read = 0;         // directories listed
  std::size_t dirs_reused = 0;       // directories taken from the memo, unchanged
};

// The unix sockets under `dir` (not following symlinks below it, at most
// `max_entries` entries: Error(Config) beyond, naming the directory). With
// a `memo_file` (socket_walk_memo.h), directories unchanged since the last
// walk that kept it there are not listed again.
SocketWalk walk_for_unix_sockets(const std::string& dir, const std::string& memo_file = {},
                                 std::size_t max_entries = kMaxSocketWalkEntries);

inline std::vector<std::string> find_unix_sockets(const std::string& dir,
                                                  std::size_t max_entries = kMaxSocketWalkEntries) {
  return walk_for_unix_sockets(dir, {}, max_entries).sockets;
}

}  // namespace clnrm
