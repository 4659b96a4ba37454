#include "support/platform_context.h"

#include <benchmark/benchmark.h>
#include <clnrm/perf.h>

namespace clnrm::bench {

void add_platform_context() {
  auto platform = clnrm::perf::this_platform();
  platform.build_type = CLNRM_BUILD_TYPE;  // of the suites, not of libclnrm's NDEBUG guess
  benchmark::AddCustomContext("clnrm_os", platform.os);
  benchmark::AddCustomContext("clnrm_arch", platform.arch);
  benchmark::AddCustomContext("clnrm_compiler", platform.compiler);
  benchmark::AddCustomContext("clnrm_build_type", platform.build_type);
  benchmark::AddCustomContext("clnrm_cpu_model", platform.cpu_model);
  benchmark::AddCustomContext("clnrm_platform", platform.slug());
}

}  // namespace clnrm::bench
