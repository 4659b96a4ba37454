// main() for suites that do not define their own: Google Benchmark's, plus
// the platform in the JSON context (clnrm_os, clnrm_arch, clnrm_compiler,
// clnrm_build_type, clnrm_cpu_model) so `clnrm bench compare --baseline`
// finds the baseline of the same kind of machine. Kept alone in this file so
// a suite with its own main (BENCHMARK_MAIN) does not pull it in.
#include <benchmark/benchmark.h>
#include <clnrm/perf.h>

int main(int argc, char** argv) {
  const auto platform = clnrm::perf::this_platform();
  benchmark::AddCustomContext("clnrm_os", platform.os);
  benchmark::AddCustomContext("clnrm_arch", platform.arch);
  benchmark::AddCustomContext("clnrm_compiler", platform.compiler);
  benchmark::AddCustomContext("clnrm_build_type", CLNRM_BUILD_TYPE);
  benchmark::AddCustomContext("clnrm_cpu_model", platform.cpu_model);
  benchmark::AddCustomContext("clnrm_platform", clnrm::perf::Platform{platform.os, platform.arch, platform.compiler,
                                                                      CLNRM_BUILD_TYPE, platform.cpu_model}
                                                    .slug());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
