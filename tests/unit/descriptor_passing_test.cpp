// send_with_descriptors and receive_with_descriptors
// (src/base/descriptor_passing.h): bytes and open descriptors in one
// message, none when there are none, too many refused by the sender and
// closed by the receiver.
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
  bool truncated = false;
};

// Through receive_with_descriptors, taking at most `max` descriptors.
Received receive(int socket, std::size_t max = kMaxPassedDescriptors) {
  char data[64];
  int fds[kMaxPassedDescriptors];
  std::size_t count = 0;
  Received r;
  const ssize_t n = receive_with_descriptors(socket, data, sizeof data, fds, max, &count, &r.truncated);
  if (n < 0) return r;
  r.bytes.assign(data, static_cast<std::size_t>(n));
  r.fds.assign(fds, fds + count);
  return r;
}

// Whether `fd` is open in this process.
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// A socket pair (a sends, b receives) and a pipe whose two ends are sent.
class DescriptorPassing : public ::testing::Test {
 protected:
  void SetUp() override {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    a.reset(pair[0]);
    b.reset(pair[1]);
    int pipe_fds[2];
    ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
    read_end.reset(pipe_fds[0]);
    write_end.reset(pipe_fds[1]);
  }
  UniqueFd a, b, read_end, write_end;
};

TEST_F(DescriptorPassing, BytesAndDescriptorsArriveTogether) {
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

TEST_F(DescriptorPassing, DescriptorsBeyondWhatTheReceiverTakesAreClosedAndTheMessageMarkedTruncated) {
  const int both[2] = {read_end.get(), write_end.get()};
  ASSERT_EQ(send_with_descriptors(a.get(), "two", 3, both, 2, MSG_NOSIGNAL), 3);
  const Received r = receive(b.get(), 1);
  EXPECT_EQ(r.bytes, "two");
  EXPECT_TRUE(r.truncated);
  ASSERT_EQ(r.fds.size(), 1u);
  EXPECT_TRUE(is_open(r.fds[0]));
  EXPECT_NE(::fcntl(r.fds[0], F_GETFD) & FD_CLOEXEC, 0);  // close-on-exec
  // The second arrived as the next number and was closed: the pipe's write
  // end is now held only by write_end, so closing that gives EOF.
  ::close(r.fds[0]);
  write_end.reset();
  ASSERT_EQ(::fcntl(read_end.get(), F_SETFL, O_NONBLOCK), 0);  // a writer left open: EAGAIN, not a hang
  char c;
  EXPECT_EQ(::read(read_end.get(), &c, 1), 0);

  ASSERT_EQ(send_with_descriptors(a.get(), "plain", 5, nullptr, 0, MSG_NOSIGNAL), 5);
  const Received plain = receive(b.get(), 1);
  EXPECT_EQ(plain.bytes, "plain");
  EXPECT_FALSE(plain.truncated);
  EXPECT_TRUE(plain.fds.empty());
}

TEST_F(DescriptorPassing, MoreThanTheLimitIsRefused) {
  std::vector<int> fds(kMaxPassedDescriptors + 1, a.get());
  errno = 0;
  EXPECT_EQ(send_with_descriptors(a.get(), "x", 1, fds.data(), fds.size(), MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace clnrm
