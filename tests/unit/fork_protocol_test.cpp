// The fork server's wire format and SCM_RIGHTS framing
// (src/backend/sandbox/fork_protocol.h), both halves over a real
// SOCK_SEQPACKET socketpair: what the runner encodes and sends is what pod
// init receives and decodes, with the descriptors in order; pod init's reply
// carries the pidfd back; a malformed or oversized request is refused.
#include "backend/sandbox/fork_protocol.h"

#include "backend/sandbox/exec_plan.h"

#include <clnrm/backend.h>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace clnrm::sandbox {
namespace {

ExecPlan plan_for(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.name = "s";
  spec.argv = std::move(argv);
  spec.env = {{"GREETING", "hello"}};
  return make_exec_plan(spec, "t", "/tmp/work");
}

struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    runner.reset(fds[0]);
    pod.reset(fds[1]);
  }
  UniqueFd runner, pod;
};

ino_t inode_of(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return st.st_ino;
}

TEST(ForkProtocol, WhatTheRunnerSendsPodInitReceivesAndDecodes) {
  const ExecPlan plan = plan_for({"echo", "hi there"});
  const auto request = encode_spawn_request(raw_exec(plan), /*with_stdin=*/false, /*direct=*/true);
  ASSERT_TRUE(request.has_value());

  SocketPair pair;
  int out[2], err[2], status[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(err, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(status, O_CLOEXEC), 0);
  ASSERT_EQ(send_spawn_request(pair.runner.get(), *request, -1, out[1], err[1], status[1]),
            static_cast<ssize_t>(request->size()));

  ForkServerMemory memory;
  int received[4] = {-1, -1, -1, -1};
  int count = 0;
  bool truncated = true;
  const ssize_t n = receive_spawn_request(pair.pod.get(), memory, received, &count, &truncated);
  ASSERT_EQ(n, static_cast<ssize_t>(request->size()));
  EXPECT_FALSE(truncated);
  ASSERT_EQ(count, 3);  // no stdin: stdout, stderr, status
  EXPECT_EQ(inode_of(received[0]), inode_of(out[1]));
  EXPECT_EQ(inode_of(received[1]), inode_of(err[1]));
  EXPECT_EQ(inode_of(received[2]), inode_of(status[1]));
  EXPECT_TRUE(::fcntl(received[0], F_GETFD) & FD_CLOEXEC);  // MSG_CMSG_CLOEXEC

  DecodedSpawnRequest decoded;
  ASSERT_TRUE(decode_spawn_request(memory.bytes.get(), static_cast<std::size_t>(n), memory, decoded));
  EXPECT_FALSE(decoded.with_stdin);
  EXPECT_TRUE(decoded.direct);
  EXPECT_STREQ(decoded.exec.workdir, "/tmp/work");
  EXPECT_STREQ(decoded.exec.rootfs, "");
  EXPECT_STREQ(decoded.exec.not_found_message, "clnrm: echo: command not found\n");
  ASSERT_NE(decoded.exec.argv[0], nullptr);
  EXPECT_STREQ(decoded.exec.argv[0], "echo");
  EXPECT_STREQ(decoded.exec.argv[1], "hi there");
  EXPECT_EQ(decoded.exec.argv[2], nullptr);
  std::vector<std::string> env;
  for (char* const* e = decoded.exec.envp; *e != nullptr; ++e) env.emplace_back(*e);
  EXPECT_EQ(env.size(), plan.env_storage.size());
  EXPECT_NE(std::find(env.begin(), env.end(), "GREETING=hello"), env.end());
  std::vector<std::string> candidates;
  for (const char* const* c = decoded.exec.candidates; *c != nullptr; ++c) candidates.emplace_back(*c);
  EXPECT_EQ(candidates, plan.candidates);

  for (int fd : received) {
    if (fd >= 0) ::close(fd);
  }
  for (int fd : {out[0], out[1], err[0], err[1], status[0], status[1]}) ::close(fd);
}

// An image root (image_roots.h): the root is entered writable, as the
// image's User.
TEST(ForkProtocol, AnImageRootAndItsUserTravelWithTheRequest) {
  ExecPlan plan = plan_for({"true"});
  plan.rootfs = "/.clnrm/image/0";
  plan.rootfs_writable = true;
  plan.uid = 1000;
  plan.gid = 1001;
  auto request = encode_spawn_request(raw_exec(plan), false, false);
  ASSERT_TRUE(request.has_value());
  ForkServerMemory memory;
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  DecodedSpawnRequest decoded;
  ASSERT_TRUE(decode_spawn_request(memory.bytes.get(), request->size(), memory, decoded));
  EXPECT_STREQ(decoded.exec.rootfs, "/.clnrm/image/0");
  EXPECT_TRUE(decoded.exec.rootfs_writable);
  EXPECT_EQ(decoded.exec.uid, 1000);
  EXPECT_EQ(decoded.exec.gid, 1001);
  // A plain step stays the pod's root, its rootfs read-only.
  request = encode_spawn_request(raw_exec(plan_for({"true"})), false, false);
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  ASSERT_TRUE(decode_spawn_request(memory.bytes.get(), request->size(), memory, decoded));
  EXPECT_FALSE(decoded.exec.rootfs_writable);
  EXPECT_EQ(decoded.exec.uid, -1);
  EXPECT_EQ(decoded.exec.gid, -1);
}

TEST(ForkProtocol, TheReplyCarriesTheErrorOrThePidfdBack) {
  SocketPair pair;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);  // stands in for a pidfd
  send_spawn_reply(pair.pod.get(), 0, pipe_fds[0], /*direct=*/true);
  WireReply reply;
  UniqueFd pidfd;
  ASSERT_EQ(receive_spawn_reply(pair.runner.get(), reply, pidfd), static_cast<ssize_t>(sizeof reply));
  EXPECT_EQ(reply.error, 0);
  EXPECT_EQ(reply.direct, 1);
  ASSERT_TRUE(pidfd.valid());
  EXPECT_EQ(inode_of(pidfd.get()), inode_of(pipe_fds[0]));

  send_spawn_reply(pair.pod.get(), EBADMSG, -1);
  UniqueFd none;
  ASSERT_EQ(receive_spawn_reply(pair.runner.get(), reply, none), static_cast<ssize_t>(sizeof reply));
  EXPECT_EQ(reply.error, EBADMSG);
  EXPECT_EQ(reply.direct, 0);
  EXPECT_FALSE(none.valid());
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(ForkProtocol, AMalformedRequestIsNotDecoded) {
  const auto request = encode_spawn_request(raw_exec(plan_for({"true"})), false);
  ASSERT_TRUE(request.has_value());
  ForkServerMemory memory;
  DecodedSpawnRequest decoded;
  // Shorter than a header.
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  EXPECT_FALSE(decode_spawn_request(memory.bytes.get(), 3, memory, decoded));
  // A string cut off before its NUL.
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  EXPECT_FALSE(decode_spawn_request(memory.bytes.get(), request->size() - 1, memory, decoded));
  // Not our magic.
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  memory.bytes[0] ^= 0x55;
  EXPECT_FALSE(decode_spawn_request(memory.bytes.get(), request->size(), memory, decoded));
  // The whole request decodes.
  std::memcpy(memory.bytes.get(), request->data(), request->size());
  EXPECT_TRUE(decode_spawn_request(memory.bytes.get(), request->size(), memory, decoded));
}

TEST(ForkProtocol, ARequestTooLargeForOneMessageIsNotEncoded) {
  // The runner falls back to the runner-forked path (runner_spawn.h) then.
  ProcessSpec spec;
  spec.name = "s";
  spec.argv = {"echo", std::string(300u << 10, 'x')};
  EXPECT_FALSE(encode_spawn_request(raw_exec(make_exec_plan(spec, "t", "/tmp/work")), false).has_value());
  std::vector<std::string> many(ForkServerMemory::kPointers, "a");
  many.insert(many.begin(), "echo");
  spec.argv = many;
  EXPECT_FALSE(encode_spawn_request(raw_exec(make_exec_plan(spec, "t", "/tmp/work")), false).has_value());
}

}  // namespace
}  // namespace clnrm::sandbox
