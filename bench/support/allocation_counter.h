#pragma once
// Measured memory for benchmarks: this binary's global operator new/delete
// are replaced (allocation_counter.cpp) to count allocations and bytes while
// counting is on. Two ways to read it:
//
//  * install_memory_manager(): a Google Benchmark MemoryManager, so the JSON
//    gets allocs_per_iter, max_bytes_used, total_allocated_bytes and
//    net_heap_growth from Google Benchmark's own extra memory run;
//  * AllocationProbe: around the measured loop itself, reported as user
//    counters (allocs/iter, bytes/iter, peak_bytes, retained_bytes) so they
//    show on the console and in every repetition.
//
// Linking a suite against this file (by calling anything from it) replaces
// operator new for that whole binary; suites that do not use it keep the
// plain allocator.

#include <benchmark/benchmark.h>

#include <cstdint>

namespace clnrm::bench {

struct AllocationTotals {
  std::int64_t allocations = 0;
  std::int64_t bytes_allocated = 0;  // sum of usable sizes handed out
  std::int64_t bytes_freed = 0;
  std::int64_t peak_live_bytes = 0;  // since the last reset_peak()
  std::int64_t live_bytes = 0;       // allocated - freed while counting
};

// Turns counting on or off (process-wide). Off costs one relaxed load per
// allocation.
void set_allocation_counting(bool on) noexcept;
AllocationTotals allocation_totals() noexcept;
// Starts a new peak window at the current live size.
void reset_allocation_peak() noexcept;

void install_memory_manager();

// Counts the allocations of the measured loop and reports them per
// iteration. Construct right before `for (auto _ : state)`, call report()
// after it.
class AllocationProbe {
 public:
  AllocationProbe();
  ~AllocationProbe();
  AllocationProbe(const AllocationProbe&) = delete;
  AllocationProbe& operator=(const AllocationProbe&) = delete;
  void report(benchmark::State& state);

 private:
  AllocationTotals start_;
  bool was_on_;
};

}  // namespace clnrm::bench
