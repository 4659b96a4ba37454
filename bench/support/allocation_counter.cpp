// Replaced global allocation functions that count, plus the MemoryManager.
// Sizes are malloc_usable_size() on both sides so allocation and release
// always balance, also for unsized delete.
#include "support/allocation_counter.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace clnrm::bench {
namespace {

std::atomic<bool> g_counting{false};
std::atomic<std::int64_t> g_allocations{0};
std::atomic<std::int64_t> g_bytes_allocated{0};
std::atomic<std::int64_t> g_bytes_freed{0};
std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};

void note_allocation(void* p) noexcept {
  if (!p || !g_counting.load(std::memory_order_relaxed)) return;
  const auto size = static_cast<std::int64_t>(::malloc_usable_size(p));
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes_allocated.fetch_add(size, std::memory_order_relaxed);
  const std::int64_t live = g_live.fetch_add(size, std::memory_order_relaxed) + size;
  std::int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (live > peak && !g_peak.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

void note_free(void* p) noexcept {
  if (!p || !g_counting.load(std::memory_order_relaxed)) return;
  const auto size = static_cast<std::int64_t>(::malloc_usable_size(p));
  g_bytes_freed.fetch_add(size, std::memory_order_relaxed);
  g_live.fetch_sub(size, std::memory_order_relaxed);
}

void* allocate(std::size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  note_allocation(p);
  return p;
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
  const auto a = std::max<std::size_t>(static_cast<std::size_t>(align), sizeof(void*));
  void* p = nullptr;
  if (::posix_memalign(&p, a, size ? size : 1) != 0) throw std::bad_alloc();
  note_allocation(p);
  return p;
}

void release(void* p) noexcept {
  note_free(p);
  std::free(p);
}

class CountingMemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override {
    start_ = allocation_totals();
    reset_allocation_peak();
    set_allocation_counting(true);
  }
  void Stop(Result& result) override {
    set_allocation_counting(false);
    const AllocationTotals now = allocation_totals();
    result.num_allocs = now.allocations - start_.allocations;
    result.max_bytes_used = now.peak_live_bytes - start_.live_bytes;
    result.total_allocated_bytes = now.bytes_allocated - start_.bytes_allocated;
    result.net_heap_growth = (now.bytes_allocated - start_.bytes_allocated) - (now.bytes_freed - start_.bytes_freed);
  }
  void Stop(Result* result) override { Stop(*result); }

 private:
  AllocationTotals start_;
};

}  // namespace

void set_allocation_counting(bool on) noexcept { g_counting.store(on, std::memory_order_relaxed); }

AllocationTotals allocation_totals() noexcept {
  AllocationTotals t;
  t.allocations = g_allocations.load(std::memory_order_relaxed);
  t.bytes_allocated = g_bytes_allocated.load(std::memory_order_relaxed);
  t.bytes_freed = g_bytes_freed.load(std::memory_order_relaxed);
  t.live_bytes = g_live.load(std::memory_order_relaxed);
  t.peak_live_bytes = g_peak.load(std::memory_order_relaxed);
  return t;
}

void reset_allocation_peak() noexcept { g_peak.store(g_live.load(std::memory_order_relaxed), std::memory_order_relaxed); }

void install_memory_manager() {
  static CountingMemoryManager manager;
  benchmark::RegisterMemoryManager(&manager);
}

AllocationProbe::AllocationProbe() : was_on_(g_counting.load(std::memory_order_relaxed)) {
  reset_allocation_peak();
  start_ = allocation_totals();
  set_allocation_counting(true);
}

AllocationProbe::~AllocationProbe() { set_allocation_counting(was_on_); }

void AllocationProbe::report(benchmark::State& state) {
  const AllocationTotals now = allocation_totals();
  set_allocation_counting(was_on_);
  const double iterations = static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.counters["allocs/iter"] = static_cast<double>(now.allocations - start_.allocations) / iterations;
  state.counters["bytes/iter"] = static_cast<double>(now.bytes_allocated - start_.bytes_allocated) / iterations;
  // Peak above the starting live size, over the whole loop: for growth
  // benchmarks that build and drop a structure per iteration, the size of one.
  state.counters["peak_bytes"] = static_cast<double>(now.peak_live_bytes - start_.live_bytes);
  // What the loop kept alive at its end (state that outlives iterations).
  state.counters["retained_bytes"] = static_cast<double>(now.live_bytes - start_.live_bytes);
}

}  // namespace clnrm::bench

// The replaced allocation functions ([new.delete]); all forms route through
// allocate/release so every path is counted once.
void* operator new(std::size_t size) { return clnrm::bench::allocate(size); }
void* operator new[](std::size_t size) { return clnrm::bench::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return clnrm::bench::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return clnrm::bench::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t a) { return clnrm::bench::allocate_aligned(size, a); }
void* operator new[](std::size_t size, std::align_val_t a) { return clnrm::bench::allocate_aligned(size, a); }
void operator delete(void* p) noexcept { clnrm::bench::release(p); }
void operator delete[](void* p) noexcept { clnrm::bench::release(p); }
void operator delete(void* p, std::size_t) noexcept { clnrm::bench::release(p); }
void operator delete[](void* p, std::size_t) noexcept { clnrm::bench::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { clnrm::bench::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { clnrm::bench::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { clnrm::bench::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { clnrm::bench::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { clnrm::bench::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { clnrm::bench::release(p); }
