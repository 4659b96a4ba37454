// Telemetry hot paths: the metrics snapshot (budget < 1 us), per-step
// counter updates, Prometheus rendering, and the OTLP trace export of a
// 1,000-test run (budget < 50 ms).
#include <benchmark/benchmark.h>
#include <clnrm/backend.h>
#include <clnrm/cancel.h>
#include <clnrm/determinism.h>
#include <clnrm/metrics.h>
#include <clnrm/metrics_formats.h>
#include <clnrm/otlp.h>

#include <filesystem>

#include "support/history_fixtures.h"
#include "support/sample_run.h"

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

// The metrics overhead budget (< 2% of a 1-step test on the null backend):
// the same 1-step "test" (pod + exec + result) without and with the
// metrics a runner records for it (test started, step, test finished, snapshot).
void one_step_test(benchmark::State& state, bool with_metrics) {
  auto backend = clnrm::make_null_backend();
  clnrm::Metrics metrics;
  clnrm::CancelToken cancel;
  clnrm::ProcessSpec spec;
  spec.name = "step";
  spec.argv = {"true"};
  for (auto _ : state) {
    auto pod = backend->create_pod({});
    clnrm::StepResult step;
    step.name = "step";
    step.exec = pod->exec(spec, cancel);
    step.status = clnrm::Status::Passed;
    clnrm::TestResult test;
    test.status = clnrm::Status::Passed;
    test.steps.push_back(std::move(step));
    if (with_metrics) {
      metrics.add(clnrm::Metrics::Counter::TestsStarted);
      clnrm::record_step_metrics(metrics, test.steps.back());
      clnrm::record_test_metrics(metrics, test);
      benchmark::DoNotOptimize(metrics.snapshot());
    }
    pod->destroy();
    benchmark::DoNotOptimize(test);
  }
}
void BM_NullBackendOneStepTest(benchmark::State& state) { one_step_test(state, false); }
void BM_NullBackendOneStepTestWithMetrics(benchmark::State& state) { one_step_test(state, true); }
BENCHMARK(BM_NullBackendOneStepTest);
BENCHMARK(BM_NullBackendOneStepTestWithMetrics);

void BM_TraceExport(benchmark::State& state) {
  const auto run = clnrm::testing::make_sample_run(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto json =
        clnrm::trace_json(run);  // ids + spans + OTLP/JSON: all of --trace-file but the write
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["tests"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_TraceExport)->Arg(1000)->Unit(benchmark::kMillisecond);

// All of `--trace-file` for a 1,000-test run: BM_TraceExport's work plus the
// atomic write of the file (wall time: the write is I/O).
void BM_TraceFileWrite(benchmark::State& state) {
  const auto run = clnrm::testing::make_sample_run(static_cast<int>(state.range(0)));
  const clnrm::testing::TempDir dir;
  const std::string path = dir.file("trace.json");
  for (auto _ : state) clnrm::write_trace_file(path, run);
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
}
BENCHMARK(BM_TraceFileWrite)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

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
  for (auto& s : run.tests[0].steps)
    s.exec.stdout_data = std::string(static_cast<std::size_t>(state.range(0)), 'x') + "\n";
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
