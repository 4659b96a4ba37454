// ChangeBatch (src/cli/change_batch.cpp): clnrm run --watch's debounce, driven
// by explicit time points (no clock is read, nothing sleeps).
#include "cli/change_batch.h"

#include <gtest/gtest.h>

using clnrm::cli::ChangeBatch;
using std::chrono::milliseconds;

namespace {

const ChangeBatch::Clock::time_point t0{};

TEST(ChangeBatch, AnEditorsSaveBurstIsOneBatch) {
  ChangeBatch b(milliseconds(200), milliseconds(2000));
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.due());
  // write a temporary file, rename it over the test, chmod: 3 events in 30 ms.
  b.add("/t/.a.clnrm.toml.swp", t0);
  b.add("/t/a.clnrm.toml", t0 + milliseconds(10));
  b.add("/t/a.clnrm.toml", t0 + milliseconds(30));
  EXPECT_FALSE(b.ready(t0 + milliseconds(100)));
  EXPECT_FALSE(b.ready(t0 + milliseconds(229)));
  EXPECT_TRUE(b.ready(t0 + milliseconds(230)));
  EXPECT_EQ(*b.due(), t0 + milliseconds(230));
  EXPECT_EQ(b.take(), (std::vector<std::string>{"/t/.a.clnrm.toml.swp", "/t/a.clnrm.toml"}));
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.ready(t0 + milliseconds(1000)));
}

TEST(ChangeBatch, EachChangeRestartsTheQuietPeriod) {
  ChangeBatch b(milliseconds(200), milliseconds(2000));
  b.add("/t/a", t0);
  b.add("/t/b", t0 + milliseconds(150));
  EXPECT_FALSE(b.ready(t0 + milliseconds(300)));
  EXPECT_TRUE(b.ready(t0 + milliseconds(350)));
}

TEST(ChangeBatch, AFileRewrittenWithoutPauseStillGetsARunAfterTheLongestWait) {
  ChangeBatch b(milliseconds(200), milliseconds(1000));
  for (int ms = 0; ms <= 1500; ms += 100) {
    const auto now = t0 + milliseconds(ms);
    if (b.ready(now)) {
      EXPECT_EQ(ms, 1000) << "due at first + longest, not after the burst ends";
      return;
    }
    b.add("/t/log.txt", now);
  }
  FAIL() << "the batch never became due";
}

TEST(ChangeBatch, TheLongestWaitIsNeverShorterThanTheQuietPeriod) {
  ChangeBatch b(milliseconds(200), milliseconds(50));
  b.add("/t/a", t0);
  EXPECT_FALSE(b.ready(t0 + milliseconds(100)));
  EXPECT_TRUE(b.ready(t0 + milliseconds(200)));
}

}  // namespace
