#include "base/prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace clnrm {

void prefault(void* begin, std::size_t bytes) noexcept {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto at = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (at + page - 1) & ~(page - 1);
  const std::uintptr_t end = (at + bytes) & ~(page - 1);
  if (end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
}

void prefault_heap(std::size_t bytes) noexcept {
  // Set before the block below: with the defaults it would be mapped on its
  // own (over 128 KiB) and, once freed, unmapped or trimmed again.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  void* block = std::malloc(bytes);
  if (block == nullptr) return;
  const auto end = reinterpret_cast<std::uintptr_t>(block) + bytes;
  // The heap grew for the block by the block and malloc's top pad (128
  // KiB): the pad up to the break too, when the block is in the heap (not
  // mapped on its own: no break right above it).
  const auto brk = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  prefault(block, brk > end && brk - end <= (1u << 20) ? brk - reinterpret_cast<std::uintptr_t>(block) : bytes);
  // Back to the heap's top, resident: the allocations after this reuse it.
  std::free(block);
}

}  // namespace clnrm
