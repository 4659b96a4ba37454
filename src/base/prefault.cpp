#include "base/prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace clnrm {
namespace {

std::uintptr_t page_size() { return static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)); }

void prefault_range(std::uintptr_t begin, std::uintptr_t end) noexcept {
  const std::uintptr_t page = page_size();
  begin = (begin + page - 1) & ~(page - 1);
  end &= ~(page - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
}

}  // namespace

void prefault(void* begin, std::size_t bytes) noexcept {
  const auto at = reinterpret_cast<std::uintptr_t>(begin);
  prefault_range(at, at + bytes);
}

void prefault_heap(std::size_t bytes) noexcept {
  // Set before the block below: with the defaults it would be mapped on its
  // own (over 128 KiB) and, once freed, unmapped or trimmed again.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  void* block = std::malloc(bytes);
  if (block == nullptr) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(block);
  std::uintptr_t end = begin + bytes;
  // The heap grew for the block by the block and malloc's top pad (128
  // KiB): the pad up to the break too, when the block is in the heap (not
  // mapped on its own: no break right above it).
  const auto brk = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  if (brk > end && brk - end <= (1u << 20)) end = brk;
  prefault_range(begin, end);
  // Back to the heap's top, resident: the allocations after this reuse it.
  std::free(block);
}

}  // namespace clnrm
