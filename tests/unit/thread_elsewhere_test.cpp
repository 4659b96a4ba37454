#include "base/thread_elsewhere.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>

namespace clnrm {
namespace {

cpu_set_t process_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  ::sched_getaffinity(0, sizeof set, &set);
  return set;
}

TEST(ThreadElsewhere, RunsItsBodyAndJoins) {
  std::atomic<int> ran{0};
  ThreadElsewhere t([&] { ran = 1; });
  EXPECT_TRUE(t.joinable());
  t.join();
  EXPECT_FALSE(t.joinable());
  EXPECT_EQ(ran.load(), 1);
}

// With another CPU in the maker's set, the thread starts there, not on the
// maker's CPU (read just before; the maker could move in between, hence 8
// of 10), and then runs with the maker's whole set.
TEST(ThreadElsewhere, StartsOnAnotherCpuThenMayUseTheWholeSet) {
  const cpu_set_t whole = process_cpus();
  int elsewhere = 0;
  for (int i = 0; i < 10; ++i) {
    std::atomic<int> started_on{-1};
    std::atomic<bool> same_set{false};
    const int maker_cpu = ::sched_getcpu();
    ThreadElsewhere t([&] {
      started_on = ::sched_getcpu();
      cpu_set_t now;
      ::sched_getaffinity(0, sizeof now, &now);
      same_set = CPU_EQUAL(&now, &whole) != 0;
    });
    t.join();
    EXPECT_TRUE(same_set.load()) << "start " << i;
    if (started_on.load() != maker_cpu) ++elsewhere;
  }
  if (CPU_COUNT(&whole) > 1) {
    EXPECT_GE(elsewhere, 8);
  } else {
    EXPECT_EQ(elsewhere, 0);
  }
}

TEST(ThreadElsewhere, TakesTheWholeSetAgain) {
  const cpu_set_t whole = process_cpus();
  std::atomic<bool> same_set{false};
  ThreadElsewhere t([&] {
    cpu_set_t now;
    ::sched_getaffinity(0, sizeof now, &now);
    same_set = CPU_EQUAL(&now, &whole) != 0;
  });
  t.join();
  EXPECT_TRUE(same_set.load());
}

TEST(ThreadElsewhere, MovesLikeAThread) {
  std::atomic<int> ran{0};
  ThreadElsewhere a([&] { ++ran; });
  ThreadElsewhere b = std::move(a);
  EXPECT_FALSE(a.joinable());
  ASSERT_TRUE(b.joinable());
  b.join();
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace clnrm
