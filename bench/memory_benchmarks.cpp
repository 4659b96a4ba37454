// Memory and scaling of the core model: the plugin registry growing and
// being searched, and copies of the small value types every test passes
// around. Memory is MEASURED: the allocation
// counter (bench/support) counts every operator new of the loop and reports
// allocs/iter, bytes/iter, peak_bytes and retained_bytes as counters; Google
// Benchmark's MemoryManager run adds allocs_per_iter / max_bytes_used to the
// JSON of single-repetition runs (see main below).
#include <benchmark/benchmark.h>
#include <clnrm/session.h>
#include <clnrm/metrics.h>
#include <clnrm/service.h>

#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include "support/allocation_counter.h"
#include "support/platform_context.h"
#include "support/measured_loop.h"

namespace {

using clnrm::bench::AllocationProbe;
using clnrm::bench::measured;

// A plugin that does nothing: the registry is what is measured.
class NamedPlugin final : public clnrm::ServicePlugin {
 public:
  explicit NamedPlugin(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "benchmark plugin"; }
  clnrm::ServiceHandle start(clnrm::Pod&, const clnrm::ServiceSpec&) override { return {}; }
  void stop(clnrm::ServiceHandle&) override {}
  clnrm::HealthStatus health(const clnrm::ServiceHandle&) const override { return clnrm::HealthStatus::Unknown; }

 private:
  std::string name_;
};

void BM_ServiceRegistryGrowth(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back(fmt::format("plugin_{:04}", (i * 7919) % n));
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    clnrm::ServiceRegistry registry;
    for (const auto& name : names) registry.register_plugin(std::make_unique<NamedPlugin>(name));
    benchmark::DoNotOptimize(registry.size());
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["peak_bytes/entry"] = state.counters["peak_bytes"] / static_cast<double>(n);
}
BENCHMARK(BM_ServiceRegistryGrowth)->Arg(10)->Arg(50)->Arg(100)->Arg(500);

void BM_ServiceRegistryLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  clnrm::ServiceRegistry registry;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    names.push_back(fmt::format("plugin_{:04}", i));
    registry.register_plugin(std::make_unique<NamedPlugin>(names.back()));
  }
  std::size_t i = 0;
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    benchmark::DoNotOptimize(registry.find(names[i]));
    if (++i == n) i = 0;
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceRegistryLookup)->Arg(10)->Arg(100)->Arg(1000);

void BM_MetricsSnapshotCopy(benchmark::State& state) {
  clnrm::Metrics metrics;
  metrics.add(clnrm::Metrics::Counter::StepsRun, 12345);
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    clnrm::MetricsSnapshot snapshot = metrics.snapshot();
    clnrm::MetricsSnapshot copy = snapshot;
    benchmark::DoNotOptimize(copy);
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
  state.counters["sizeof"] = sizeof(clnrm::MetricsSnapshot);
}
BENCHMARK(BM_MetricsSnapshotCopy);

void BM_ServiceHandleCopy(benchmark::State& state) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  clnrm::ServiceSpec spec;
  spec.name = "database_service_with_a_long_name";  // beyond the small-string buffer, as real names often are
  spec.plugin = "process";
  spec.args = {"redis-server"};
  const clnrm::ServiceHandle handle = env.start_service(*pod, spec);
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    clnrm::ServiceHandle copy = handle;
    benchmark::DoNotOptimize(copy);
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
  state.counters["sizeof"] = sizeof(clnrm::ServiceHandle);
}
BENCHMARK(BM_ServiceHandleCopy);

// The repetitions this run asks for (flag, else Google Benchmark's env var).
long requested_repetitions(int argc, char** argv) {
  long repetitions = 1;
  if (const char* env = std::getenv("BENCHMARK_REPETITIONS")) repetitions = std::strtol(env, nullptr, 10);
  const std::string_view flag = "--benchmark_repetitions=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, flag.size()) == flag) repetitions = std::strtol(argv[i] + flag.size(), nullptr, 10);
  }
  return repetitions;
}

}  // namespace

int main(int argc, char** argv) {
  clnrm::bench::add_platform_context();
  // Google Benchmark 1.7.1 keeps each repetition's MemoryManager::Result in a
  // std::vector that reallocates as repetitions are added, so every
  // repetition but the last reports max_bytes_used / total_allocated_bytes
  // read from freed memory. Its MemoryManager run is therefore used only for
  // single-repetition runs (ctest smoke, massif); the AllocationProbe
  // counters above are measured in every repetition.
  if (requested_repetitions(argc, argv) <= 1) clnrm::bench::install_memory_manager();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
