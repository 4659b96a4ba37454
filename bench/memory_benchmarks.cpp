// Memory and scaling of the core model: registries growing and being
// searched, copies of the small value types every test passes around, and
// registry access under contention. Memory is MEASURED: the allocation
// counter (bench/support) counts every operator new of the loop and reports
// allocs/iter, bytes/iter, peak_bytes and retained_bytes as counters; Google
// Benchmark's MemoryManager run adds allocs_per_iter / max_bytes_used to the
// JSON of single-repetition runs (see main below).
#include <benchmark/benchmark.h>
#include <clnrm/container_registry.h>
#include <clnrm/environment.h>
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

// What a registry entry typically holds: an id and a little state.
struct FakeContainer {
  std::string id;
  int port = 0;
};

std::vector<std::string> make_keys(std::size_t n, std::string_view prefix) {
  std::vector<std::string> keys;
  keys.reserve(n);
  // Realistic keys: a reuse hash of an image + args is ~40 chars.
  for (std::size_t i = 0; i < n; ++i) keys.push_back(fmt::format("{}:clnrm-test/redis:6379:{:016x}", prefix, i * 2654435761u));
  return keys;
}

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

// Build a registry of N entries and drop it, per iteration.
void BM_ContainerRegistryGrowth(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto keys = make_keys(n, "grow");
  const std::function<std::shared_ptr<FakeContainer>()> make = [] { return std::make_shared<FakeContainer>(); };
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    clnrm::ContainerRegistry registry;
    for (const auto& key : keys) benchmark::DoNotOptimize(registry.get_or_create<FakeContainer>(key, make));
    benchmark::DoNotOptimize(registry.size());
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["peak_bytes/entry"] = state.counters["peak_bytes"] / static_cast<double>(n);
}
BENCHMARK(BM_ContainerRegistryGrowth)->Arg(10)->Arg(100)->Arg(1000);

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

void BM_ContainerRegistryLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto keys = make_keys(n, "find");
  clnrm::ContainerRegistry registry;
  const std::function<std::shared_ptr<FakeContainer>()> make = [] { return std::make_shared<FakeContainer>(); };
  for (const auto& key : keys) registry.get_or_create<FakeContainer>(key, make);
  std::size_t i = 0;
  AllocationProbe probe;
  for (auto _ : measured(state)) {
    benchmark::DoNotOptimize(registry.find<FakeContainer>(keys[i]));
    if (++i == n) i = 0;
  }
  probe.report(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContainerRegistryLookup)->Arg(10)->Arg(100)->Arg(1000);

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
  clnrm::Environment env(clnrm::make_null_backend());
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

// Parallel tests share one registry: 90% lookups of reused objects, 10%
// get-or-create of new keys, from N threads at once.
void BM_ConcurrentRegistryAccess(benchmark::State& state) {
  static std::unique_ptr<clnrm::ContainerRegistry> registry;
  static std::vector<std::string> keys;
  static std::atomic<std::uint64_t> fresh{0};
  if (state.thread_index() == 0) {
    registry = std::make_unique<clnrm::ContainerRegistry>();
    keys = make_keys(256, "shared");
    const std::function<std::shared_ptr<FakeContainer>()> make = [] { return std::make_shared<FakeContainer>(); };
    for (const auto& key : keys) registry->get_or_create<FakeContainer>(key, make);
  }
  // Google Benchmark starts every thread's loop together (a barrier), after
  // thread 0's setup above.
  const std::function<std::shared_ptr<FakeContainer>()> make = [] { return std::make_shared<FakeContainer>(); };
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 37;
  std::string key;
  for (auto _ : state) {
    if (i % 10 == 9) {
      key = fmt::format("new:{}", fresh.fetch_add(1, std::memory_order_relaxed) % 4096);
      benchmark::DoNotOptimize(registry->get_or_create<FakeContainer>(key, make));
    } else {
      benchmark::DoNotOptimize(registry->find<FakeContainer>(keys[i % keys.size()]));
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["registry_size"] = static_cast<double>(registry->size());
  }
}
BENCHMARK(BM_ConcurrentRegistryAccess)->Threads(5)->Threads(10)->Threads(25)->Threads(50)->UseRealTime();

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
