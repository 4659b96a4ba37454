#pragma once
// Making memory a process is about to write resident in one system call.
//
// Each page a process touches for the first time costs a page fault, and on
// a VM a fault is a trip through the hypervisor: ~9 us an anonymous page on
// the machine of docs/SANDBOX.md ("Faults in one call"), against ~4 us a
// page made resident by MADV_POPULATE_WRITE (bench/peers/fault_cost). A
// one-test `clnrm run` wrote ~500 KiB of heap one fault at a time, most of
// it on its way to the first step. Best effort: a kernel before 5.14 (no
// MADV_POPULATE_WRITE) leaves the pages to fault as before.

#include <cstddef>

namespace clnrm {

// The whole pages within [begin, begin + bytes), resident and writable.
void prefault(void* begin, std::size_t bytes) noexcept;

// Sets malloc to keep what it frees (the thresholds glibc's dynamic ones
// reach at their most: blocks up to 32 MiB from the heap, 64 MiB of free
// heap top kept) and makes the heap's next `bytes`, and the pad malloc grew
// it by beyond them, resident.
void prefault_heap(std::size_t bytes) noexcept;

}  // namespace clnrm
