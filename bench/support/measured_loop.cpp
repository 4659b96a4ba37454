#include "support/measured_loop.h"

#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace clnrm::bench {

namespace {
const char* bench_name() {
  static const char* name = std::getenv("CLNRM_BENCH_NAME");
  return name;
}
}  // namespace

bool instruction_counting_active() noexcept {
  static const bool active = RUNNING_ON_VALGRIND && bench_name() && *bench_name();
  return active;
}

void start_instruction_counting() noexcept {
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
}

void stop_instruction_counting(benchmark::IterationCount iterations) noexcept {
  CALLGRIND_STOP_INSTRUMENTATION;
  char description[512];
  std::snprintf(description, sizeof description, "clnrm-bench:%lld:%s", static_cast<long long>(iterations),
                bench_name());
  CALLGRIND_DUMP_STATS_AT(description);
}

}  // namespace clnrm::bench
