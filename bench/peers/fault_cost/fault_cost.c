/* What a page costs the first time a process writes it (base/prefault.h
 * says why it matters): PAGES fresh anonymous pages written one by one (a
 * page fault each), against the same number made resident by one
 * madvise(MADV_POPULATE_WRITE) and then written. ROUNDS rounds, each on a
 * new mapping, the two alternating; prints the median and 90th percentile
 * microseconds per page of each. Run by fault_cost.sh. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "peers/peer_timing.h"

static double per_page(size_t pages, int populate) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  char* p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) exit(1);
  const double start = now_us();
  if (populate && madvise(p, pages * page, MADV_POPULATE_WRITE) != 0) exit(1);
  for (size_t i = 0; i < pages; ++i) p[i * page] = 1;
  const double took = (now_us() - start) / (double)pages;
  munmap(p, pages * page);
  return took;
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 200;
  const size_t pages = argc > 2 ? (size_t)atol(argv[2]) : 100;
  double* faulted = malloc(sizeof(double) * (size_t)rounds);
  double* populated = malloc(sizeof(double) * (size_t)rounds);
  for (int i = 0; i < rounds; ++i) {
    faulted[i] = per_page(pages, 0);
    populated[i] = per_page(pages, 1);
  }
  qsort(faulted, (size_t)rounds, sizeof(double), by_value);
  qsort(populated, (size_t)rounds, sizeof(double), by_value);
  printf("%zu pages, a fault each: median %5.2f us a page, p90 %5.2f\n", pages, faulted[rounds / 2],
         faulted[rounds * 9 / 10]);
  printf("%zu pages, MADV_POPULATE_WRITE first: median %5.2f us a page, p90 %5.2f\n", pages,
         populated[rounds / 2], populated[rounds * 9 / 10]);
  return 0;
}
