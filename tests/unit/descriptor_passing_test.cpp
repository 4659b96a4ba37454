// send_with_descriptors (src/base/descriptor_passing.h): bytes and open
// descriptors in one message, none when there are none, too many refused.
#include "base/descriptor_passing.h"
#include "base/unique_fd.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace clnrm {
namespace {

struct Received {
  std::string bytes;
  std::vector<int> fds;
};

Received receive(int socket) {
  char data[64];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(8 * sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  Received r;
  const ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return r;
  r.bytes.assign(data, static_cast<std::size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      r.fds.push_back(fd);
    }
  }
  return r;
}

TEST(DescriptorPassing, BytesAndDescriptorsArriveTogether) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

  const int both[2] = {read_end.get(), write_end.get()};
  ASSERT_EQ(send_with_descriptors(a.get(), "two", 3, both, 2, MSG_NOSIGNAL), 3);
  Received r = receive(b.get());
  EXPECT_EQ(r.bytes, "two");
  ASSERT_EQ(r.fds.size(), 2u);
  // They are the pipe: what goes into the second comes out of the first.
  ASSERT_EQ(::write(r.fds[1], "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(r.fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  for (const int fd : r.fds) ::close(fd);

  ASSERT_EQ(send_with_descriptors(a.get(), "none", 4, nullptr, 0, MSG_NOSIGNAL), 4);
  r = receive(b.get());
  EXPECT_EQ(r.bytes, "none");
  EXPECT_TRUE(r.fds.empty());
}

TEST(DescriptorPassing, MoreThanTheLimitIsRefused) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  std::vector<int> fds(kMaxPassedDescriptors + 1, a.get());
  errno = 0;
  EXPECT_EQ(send_with_descriptors(a.get(), "x", 1, fds.data(), fds.size(), MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace clnrm
