// Waiting a moment by polling (src/base/spin_wait.h): true as soon as the
// descriptor is readable, false once the budget is spent on one that stays
// silent, and it sees a write made from another thread meanwhile.
#include "base/spin_wait.h"
#include "base/unique_fd.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace clnrm {
namespace {

TEST(SpinWait, ReadableAtOnce) {
  UniqueFd fd(::eventfd(1, EFD_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  EXPECT_TRUE(spin_until_readable(fd.get(), 0));
}

TEST(SpinWait, ASilentDescriptorSpendsTheBudget) {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(spin_until_readable(fd.get(), 2000000));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2));
}

TEST(SpinWait, SeesAWriteFromAnotherThread) {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::uint64_t one = 1;
    ASSERT_EQ(::write(fd.get(), &one, sizeof one), static_cast<ssize_t>(sizeof one));
  });
  // A budget far longer than the writer's delay: it returns on the write.
  EXPECT_TRUE(spin_until_readable(fd.get(), 10'000'000'000));
  writer.join();
}

}  // namespace
}  // namespace clnrm
