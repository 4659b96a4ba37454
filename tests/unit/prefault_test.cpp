// base/prefault.h: whole pages made resident in one call, and a heap whose
// next allocations land on resident pages.
#include "base/prefault.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace clnrm {
namespace {

const std::size_t kPage = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

// Which of the `pages` pages from `base` are resident.
std::vector<bool> resident(void* base, std::size_t pages) {
  std::vector<unsigned char> in(pages);
  EXPECT_EQ(::mincore(base, pages * kPage, in.data()), 0);
  std::vector<bool> out;
  for (unsigned char c : in) out.push_back((c & 1) != 0);
  return out;
}

TEST(Prefault, MakesTheWholePagesInTheRangeResident) {
  void* map = ::mmap(nullptr, 8 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  auto* base = static_cast<char*>(map);
  ASSERT_EQ(resident(base, 8), std::vector<bool>(8, false));
  // From inside page 0 to inside page 5: pages 1 to 4 are whole.
  prefault(base + 100, 5 * kPage);
  EXPECT_EQ(resident(base, 8), (std::vector<bool>{false, true, true, true, true, false, false, false}));
  ::munmap(map, 8 * kPage);
}

// In a child: the malloc settings are the process's.
TEST(Prefault, HeapAllocationsAfterwardsAreResident) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    prefault_heap(512 << 10);
    // Comes from the heap's top, which the call left resident.
    auto* block = static_cast<char*>(std::malloc(256 << 10));
    const auto first = (reinterpret_cast<std::uintptr_t>(block) + kPage - 1) & ~(kPage - 1);
    const std::vector<bool> in = resident(reinterpret_cast<void*>(first), (256 << 10) / kPage - 1);
    std::size_t missing = 0;
    for (bool r : in) missing += r ? 0 : 1;
    ::_exit(missing == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "pages of the block were not resident";
}

}  // namespace
}  // namespace clnrm
