#pragma once
// Put in place by bench/peers/phases/phase_probe.py in a copy of the sources
// only: one CLOCK_MONOTONIC reading per phase of a run, on stderr.
#include <cstdio>
#include <ctime>
inline void clnrm_phase(const char* name) {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  std::fprintf(stderr, "PHASE %.3f %s\n", static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6, name);
}
// The same line from pod init's side of the clone (async-signal-safe: no
// stdio lock, which the runner's threads may hold in the memory pod init
// shares with them); its fd 2 is the runner's stderr until it reports ready.
#include <unistd.h>
inline void clnrm_phase_raw(const char* name) noexcept {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  const unsigned long long us = static_cast<unsigned long long>(t.tv_sec) * 1000000ULL + static_cast<unsigned long long>(t.tv_nsec) / 1000ULL;
  char line[256] = "PHASE ";
  char digits[24];
  int n = 0;
  for (unsigned long long v = us; v != 0 || n == 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  int at = 6;
  for (int i = n - 1; i >= 0; --i) {
    line[at++] = digits[i];
    if (i == 3) line[at++] = '.';  // milliseconds with three decimals
  }
  line[at++] = ' ';
  for (const char* c = name; *c != '\0' && at < 254; ++c) line[at++] = *c;
  line[at++] = '\n';
  ssize_t ignored = ::write(2, line, static_cast<size_t>(at));
  (void)ignored;
}
