#include <clnrm/signals.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iterator>
#include <thread>

TEST(SignalCancellation, FirstSigintCancelsTheToken) {
  clnrm::CancelToken token;
  {
    clnrm::SignalCancellation guard(token, false);
    EXPECT_EQ(guard.signal_received(), 0);
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_TRUE(token.cancelled());
    EXPECT_EQ(guard.signal_received(), SIGINT);
  }
  // The previous disposition is back: SIGINT would kill a process with the default.
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  EXPECT_NE(now.sa_handler, SIG_IGN);
}

TEST(SignalCancellation, SigtermToo) {
  clnrm::CancelToken token;
  clnrm::SignalCancellation guard(token, false);
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(guard.signal_received(), SIGTERM);
}

TEST(SignalCancellation, SecondSignalRunsHooksAndExits130) {
  EXPECT_EXIT(
      {
        clnrm::CancelToken token;
        clnrm::SignalCancellation guard(token, false);
        clnrm::add_forced_exit_hook([] { std::fputs("hook ran\n", stderr); });
        ::raise(SIGINT);
        ::raise(SIGINT);
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::exit(0);
      },
      ::testing::ExitedWithCode(130), "hook ran");
}

// A run without forced-exit hooks makes no thread for its signals: making
// and joining one cost every whole-process `clnrm run` up to milliseconds.
TEST(SignalCancellation, WithoutHooksNoThreadIsStarted) {
  const auto threads = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                         std::filesystem::directory_iterator{});
  };
  const auto before = threads();
  clnrm::CancelToken token;
  clnrm::SignalCancellation guard(token, false);
  EXPECT_EQ(threads(), before);
}
