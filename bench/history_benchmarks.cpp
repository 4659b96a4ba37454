// History store benchmarks (the successor of upstream's ai_intelligence_benchmarks,
// which timed struct creation and stored nothing). Targets from issue 6:
//   record creation < 200 ns; >= 200,000 records/s stored in batches of 1,000;
//   flaky and slowest over 1,000,000 stored executions < 1 s.
// Run: cmake --preset release && cmake --build --preset release --target history_benchmarks
//      build/release/bench/history_benchmarks --benchmark_repetitions=5
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <clnrm/history.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>

using namespace clnrm;

namespace {

// A scratch directory removed at exit.
struct ScratchDir {
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clnrm-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

ScratchDir& scratch() {
  static ScratchDir dir;
  return dir;
}

TestResult sample_test(int i) {
  TestResult t;
  t.file = "tests/integration/service_" + std::to_string(1000 + i % 1000) + ".clnrm.toml";
  t.file_hash = "9f2c4e1a77b3d5e0";
  t.name = "service_" + std::to_string(1000 + i % 1000) + "_roundtrip";
  t.status = i % 17 == 0 ? Status::Failed : Status::Passed;
  t.message = t.status == Status::Failed ? "step 'check' failed: exit code 1" : "";
  t.duration = std::chrono::milliseconds(10 + i % 500);
  t.started = std::chrono::system_clock::now();
  return t;
}

history::ExecutionRecord sample_record(int i) {
  history::ExecutionRecord r;
  r.file = "tests/integration/service_" + std::to_string(1000 + i % 1000) + ".clnrm.toml";
  r.file_hash = "9f2c4e1a77b3d5e0";
  r.test = "service_" + std::to_string(1000 + i % 1000) + "_roundtrip";
  r.status = i % 17 == 0 ? Status::Failed : Status::Passed;
  r.duration_ns = 10'000'000 + (i % 500) * 1'000'000;
  r.cpu_user_us = 1200;
  r.max_rss_kb = 4096;
  return r;
}

// Building one ExecutionRecord from a TestResult (the test row, no steps).
void BM_CreateExecutionRecord(benchmark::State& state) {
  const auto test = sample_test(7);
  for (auto _ : state) {
    history::ExecutionRecord r;
    r.file = test.file;
    r.file_hash = test.file_hash;
    r.test = test.name;
    r.status = test.status;
    r.duration_ns = test.duration.count();
    r.attempts = test.attempts;
    r.worker = test.worker;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateExecutionRecord);

// The full conversion the store does per test: to_records() (vector + test row).
void BM_ToRecords(benchmark::State& state) {
  const auto test = sample_test(7);
  for (auto _ : state) benchmark::DoNotOptimize(history::to_records(test));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ToRecords);

// One transaction storing a batch of N records (prepared INSERT, WAL).
void BM_StoreBatch(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto path = (scratch().path / ("batch-" + std::to_string(n) + ".db")).string();
  std::filesystem::remove(path);
  history::Store store(path);
  const auto run = store.begin_run(history::collect_run_meta("bench", ""));
  std::vector<history::ExecutionRecord> rows;
  for (int i = 0; i < n; ++i) rows.push_back(sample_record(i));
  for (auto _ : state) store.insert_batch(run, rows);
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
// Wall clock (UseRealTime): storing includes waiting for the WAL write, which CPU time hides.
BENCHMARK(BM_StoreBatch)
    ->Arg(10)
    ->Arg(50)
    ->Arg(100)
    ->Arg(500)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// PRAGMA quick_check on a DB of 10,000 executions.
void BM_HealthCheck(benchmark::State& state) {
  const auto path = (scratch().path / "health.db").string();
  std::filesystem::remove(path);
  history::Store store(path);
  const auto run = store.begin_run(history::collect_run_meta("bench", ""));
  std::vector<history::ExecutionRecord> rows;
  for (int i = 0; i < 10000; ++i) rows.push_back(sample_record(i));
  store.insert_batch(run, rows);
  for (auto _ : state) {
    if (store.health_check() != "ok") state.SkipWithError("quick_check failed");
  }
}
BENCHMARK(BM_HealthCheck)->Unit(benchmark::kMillisecond);

// Heap bytes held by N records in memory (glibc mallinfo2 delta), as counters.
void BM_RecordMemory(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  double bytes = 0;
  for (auto _ : state) {
    const auto before = ::mallinfo2().uordblks;
    std::vector<history::ExecutionRecord> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) rows.push_back(sample_record(static_cast<int>(i)));
    bytes = static_cast<double>(::mallinfo2().uordblks - before);
    benchmark::DoNotOptimize(rows.data());
  }
  state.counters["heap_bytes"] = bytes;
  state.counters["bytes/record"] = bytes / static_cast<double>(n);
}
BENCHMARK(BM_RecordMemory)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// 1,000,000 test executions: 1,000 tests x 1,000 runs, ~6% flaky, 1% broken, built once.
constexpr int kTests = 1000, kRuns = 1000;

history::Store& million() {
  static std::unique_ptr<history::Store> store = [] {
    const auto path = (scratch().path / "million.db").string();
    auto s = std::make_unique<history::Store>(path);
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<history::ExecutionRecord> rows;
    rows.reserve(kTests);
    for (int run = 0; run < kRuns; ++run) {
      const auto id = s->begin_run(history::collect_run_meta("bench", ""));
      rows.clear();
      for (int t = 0; t < kTests; ++t) {
        auto r = sample_record(t);
        const bool flaky = t % 16 == 0, broken = t % 100 == 1;
        r.status = broken || (flaky && u(rng) < 0.3) ? Status::Failed : Status::Passed;
        r.duration_ns = static_cast<std::int64_t>((10 + t % 500) * 1e6 * (0.9 + 0.2 * u(rng)));
        r.started_ns = static_cast<std::int64_t>(run) * 3'600'000'000'000;
        rows.push_back(std::move(r));
      }
      s->insert_batch(id, rows);
      RunResult done;
      s->finish_run(id, done);
    }
    return s;
  }();
  return *store;
}

void BM_Flaky_1M(benchmark::State& state) {
  auto& store = million();
  std::size_t found = 0;
  for (auto _ : state) found = history::find_flaky(store).flaky.size();
  state.counters["flaky_tests"] = static_cast<double>(found);
}
BENCHMARK(BM_Flaky_1M)->Unit(benchmark::kMillisecond);

void BM_Slowest_1M(benchmark::State& state) {
  auto& store = million();
  for (auto _ : state) benchmark::DoNotOptimize(history::find_slowest(store, 20));
}
BENCHMARK(BM_Slowest_1M)->Unit(benchmark::kMillisecond);

void BM_Predict_1M(benchmark::State& state) {
  auto& store = million();
  for (auto _ : state) benchmark::DoNotOptimize(history::predict_failures(store));
}
BENCHMARK(BM_Predict_1M)->Unit(benchmark::kMillisecond);

void BM_MedianDurations_1M(benchmark::State& state) {
  auto& store = million();
  for (auto _ : state) benchmark::DoNotOptimize(history::median_durations(store));
}
BENCHMARK(BM_MedianDurations_1M)->Unit(benchmark::kMillisecond);

void BM_TrendWithChangePoint_1M(benchmark::State& state) {
  auto& store = million();
  for (auto _ : state) {
    auto points = history::trend(store, "service_1042_roundtrip");
    benchmark::DoNotOptimize(history::detect_change_point(points));
  }
}
BENCHMARK(BM_TrendWithChangePoint_1M)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
