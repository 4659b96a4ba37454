// Telemetry hot paths: the metrics snapshot (budget < 1 us), per-step
// counter updates, Prometheus rendering, and the OTLP trace export of a
// 1,000-test run (budget < 50 ms).
#include <benchmark/benchmark.h>
#include <clnrm/determinism.h>
#include <clnrm/metrics.h>
#include <clnrm/metrics_export.h>
#include <clnrm/otlp.h>

#include "../tests/support/sample_run.h"

namespace {

void BM_MetricsSnapshot(benchmark::State& state) {
  clnrm::Metrics m;
  m.add(clnrm::Metrics::Counter::StepsRun, 5);
  for (auto _ : state) {
    auto s = m.snapshot();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_MetricsSnapshot);

void BM_MetricsAdd(benchmark::State& state) {
  clnrm::Metrics m;
  for (auto _ : state) m.add(clnrm::Metrics::Counter::StepsRun);
  benchmark::DoNotOptimize(m.get(clnrm::Metrics::Counter::StepsRun));
}
BENCHMARK(BM_MetricsAdd);
BENCHMARK(BM_MetricsAdd)->Threads(2);

// What the runner adds per finished step (5 relaxed atomic adds).
void BM_RecordStepMetrics(benchmark::State& state) {
  clnrm::Metrics m;
  const auto run = clnrm::testing::make_sample_run(1, 1, 0);
  const auto& step = run.tests[0].steps[0];
  for (auto _ : state) clnrm::record_step_metrics(m, step);
  benchmark::DoNotOptimize(m.snapshot());
}
BENCHMARK(BM_RecordStepMetrics);

void BM_TraceExport(benchmark::State& state) {
  const auto run = clnrm::testing::make_sample_run(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto json = clnrm::trace_json(run);  // ids + spans + OTLP/JSON: all of --trace-file but the write
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["tests"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_TraceExport)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_BuildSpans(benchmark::State& state) {
  const auto run = clnrm::testing::make_sample_run(static_cast<int>(state.range(0)));
  clnrm::SpanIdGenerator ids;
  std::size_t spans = 0;
  for (auto _ : state) {
    auto s = clnrm::build_spans(run, ids);
    spans = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["spans"] = static_cast<double>(spans);
}
BENCHMARK(BM_BuildSpans)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_PrometheusRender(benchmark::State& state) {
  const auto run = clnrm::testing::make_sample_run(static_cast<int>(state.range(0)));
  clnrm::Metrics m;
  for (auto _ : state) {
    auto text = clnrm::render_prometheus(m.snapshot(), run);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_PrometheusRender)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_DigestTest(benchmark::State& state) {
  auto run = clnrm::testing::make_sample_run(1);
  for (auto& s : run.tests[0].steps) s.exec.stdout_data = std::string(static_cast<std::size_t>(state.range(0)), 'x') + "\n";
  clnrm::OutputNormalizer normalizer;
  for (auto _ : state) {
    auto d = clnrm::digest_test(run.tests[0], normalizer);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 3 * (state.range(0) + 1));
}
BENCHMARK(BM_DigestTest)->Arg(1024)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
