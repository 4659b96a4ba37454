// What a destroyed pod leaves, handed to a worker (src/backend/sandbox/
// pod_releases.h): released when the worker gets to it, by the caller when
// there is no worker, by close() when the worker stopped first. A pipe's
// write end stands for a namespace descriptor: its reader sees EOF once it
// is closed.
#include "backend/sandbox/pod_releases.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <thread>

namespace clnrm::sandbox {
namespace {

struct Watched {
  UniqueFd read_end;
  PodLeftovers leftovers;
  Watched() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
    read_end = UniqueFd(fds[0]);
    leftovers.namespaces[0] = UniqueFd(fds[1]);
  }
  bool released() const {
    char c;
    return ::read(read_end.get(), &c, 1) == 0;  // EOF: the write end is closed
  }
};

TEST(PodReleases, AWorkerReleasesWhatWasHandedOver) {
  int wakes = 0;
  PodReleases releases([&] {
    ++wakes;
    return true;
  });
  Watched pod;
  ASSERT_TRUE(releases.hand_over(pod.leftovers));
  EXPECT_EQ(wakes, 1);
  EXPECT_FALSE(pod.released());  // queued, not yet released
  std::thread worker([&] { releases.release_queued(); });
  releases.wait_until_idle();
  EXPECT_TRUE(pod.released());
  worker.join();
}

TEST(PodReleases, WithoutAWorkerTheCallerKeepsThem) {
  PodReleases releases([] { return false; });
  Watched pod;
  EXPECT_FALSE(releases.hand_over(pod.leftovers));
  EXPECT_TRUE(pod.leftovers.namespaces[0].valid());  // untouched
  EXPECT_FALSE(pod.released());
  pod.leftovers.release();
  EXPECT_TRUE(pod.released());
  releases.wait_until_idle();  // nothing queued
}

TEST(PodReleases, CloseReleasesWhatTheWorkerDidNotGetTo) {
  PodReleases releases([] { return true; });
  Watched a, b;
  ASSERT_TRUE(releases.hand_over(a.leftovers));
  ASSERT_TRUE(releases.hand_over(b.leftovers));
  releases.close();
  EXPECT_TRUE(a.released());
  EXPECT_TRUE(b.released());
  Watched late;
  EXPECT_FALSE(releases.hand_over(late.leftovers));  // closed: the caller's
  EXPECT_TRUE(late.leftovers.namespaces[0].valid());
}

}  // namespace
}  // namespace clnrm::sandbox
