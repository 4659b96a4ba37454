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
