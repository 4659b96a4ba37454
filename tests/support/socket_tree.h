#pragma once
// A scratch directory tree with unix sockets bound in it, for the tests of
// the socket walk (src/backend/host_sockets.h): the sockets stay bound (and
// on disk) while the tree lives.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace clnrm::testing {

class SocketTree {
 public:
  explicit SocketTree(std::string_view prefix = "clnrm-socket-tree") : dir_(prefix) {}
  ~SocketTree() {
    for (const int fd : sockets_) ::close(fd);
  }
  SocketTree(const SocketTree&) = delete;
  SocketTree& operator=(const SocketTree&) = delete;

  const std::string& path() const { return dir_.path(); }
  std::string at(const std::string& relative) const { return path() + "/" + relative; }

  // Binds a socket at `relative` (its directory must exist).
  void socket_at(const std::string& relative) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockets_.push_back(fd);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", at(relative).c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << relative;
  }

 private:
  TempDir dir_;
  std::vector<int> sockets_;
};

}  // namespace clnrm::testing
