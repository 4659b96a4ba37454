// main() for suites that do not define their own: Google Benchmark's, plus
// the platform in the JSON context. Kept alone in this file so a suite with
// its own main (BENCHMARK_MAIN or custom) does not pull it in.
#include <benchmark/benchmark.h>

#include "support/platform_context.h"

int main(int argc, char** argv) {
  clnrm::bench::add_platform_context();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
