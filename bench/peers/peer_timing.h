/* The clock and the sort of the small C measurements under bench/peers
 * (namespace_cost.c, wakeup_cost.c): a monotonic clock in microseconds, and
 * a qsort comparator for the samples whose median they print. */
#ifndef CLNRM_BENCH_PEER_TIMING_H
#define CLNRM_BENCH_PEER_TIMING_H

#include <time.h>

static inline double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static inline int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

#endif
