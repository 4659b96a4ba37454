#pragma once
// Waiting a moment for a descriptor another CPU is about to make readable,
// without letting this CPU go idle.
//
// On a VM an idle virtual CPU halts, and waking it for a write from the
// other one is a round trip through the hypervisor: two threads passing an
// eventfd back and forth took 43 us median a round trip blocking and 1.4
// us polling (bench/peers/wakeup_cost/wakeup_cost.sh; docs/SANDBOX.md,
// "Waiting without halting"). Where one side hands the
// other the next step of a sequence and waits for the answer within a
// fraction of a millisecond, polling for that long first saves the
// wake-up. sched_yield between polls gives the CPU to anything else
// runnable on it: the spin only uses time the CPU would idle away.
// Async-signal-safe.

#include <poll.h>
#include <sched.h>
#include <time.h>

#include <cstdint>

namespace clnrm {

// True once `fd` is readable (or has an error or hang-up to report), false
// when `budget_ns` passed first; the caller then blocks as it would have.
inline bool spin_until_readable(int fd, std::int64_t budget_ns) noexcept {
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) return true;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::int64_t elapsed =
        (static_cast<std::int64_t>(now.tv_sec) - start.tv_sec) * 1000000000 + (now.tv_nsec - start.tv_nsec);
    if (elapsed >= budget_ns) return false;
    ::sched_yield();
  }
}

}  // namespace clnrm
