#pragma once
// Adds the platform (clnrm_os, clnrm_arch, clnrm_compiler, clnrm_build_type,
// clnrm_cpu_model, clnrm_platform) to Google Benchmark's JSON context, so
// `clnrm bench compare --baseline` finds the baseline of the same kind of
// machine. Call before benchmark::Initialize.
namespace clnrm::bench {
void add_platform_context();
}  // namespace clnrm::bench
