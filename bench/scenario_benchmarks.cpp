// Whole test scenarios through the runner (run_test / run_tests), on the REAL
// sandbox backend (arg backend=1) and on the null backend (backend=0: nothing
// executes, so what is left is the framework's own overhead).
//
//   Scenario_SingleStep/backend           one `true` step: pod + step + teardown
//   Scenario_MultiStep/backend/steps      2..50 steps; counter us_per_step
//   Scenario_Concurrent/steps             a concurrent scenario of N `sleep 0.02`
//                                         steps vs the same steps sequentially;
//                                         counter speedup = sequential / concurrent
//   Scenario_SecurityLevel/level          3 steps at low(0) / medium(1) / high(2)
//   Scenario_Deterministic                [determinism] seed = 42 (seeded env)
//   Scenario_Execution/jobs               10 one-step tests, jobs=1 (blocking, one
//                                         lane) vs jobs=2 (the runner's worker pool)
//   Scenario_Timeout/ms                   a `sleep 60` step with timeout = ms;
//                                         counter kill_latency_us = how long after
//                                         its deadline the step was gone (killed and
//                                         reaped): step duration - timeout. Total
//                                         time is just the timeout and says nothing.
//
// The 5000 ms timeout variant costs 5 s per iteration: it is registered only
// with --benchmark_repetitions > 1 or CLNRM_BENCH_LONG=1, so the smoke run
// (`ctest -L bench-smoke`: min_time 0.001, repetitions 1) stays a few seconds.
// Kill latency does not depend on the timeout's length (the backend arms one
// timer), so 100/500/1000 already show it; 5000 is there to prove that.
//
// Run: build/release/bench/scenario_benchmarks --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <clnrm/session.h>
#include <clnrm/runner.h>
#include <clnrm/sandbox.h>
#include <clnrm/service.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/platform_context.h"

namespace {

using namespace clnrm;
using Clock = std::chrono::steady_clock;

std::unique_ptr<Session> make_env(std::int64_t backend) {
  auto env =
      std::make_unique<Session>(backend == 1 ? make_sandbox_backend() : make_null_backend());
  register_builtin_plugins(env->services());
  return env;
}

StepSpec step(std::string name, std::vector<std::string> command) {
  StepSpec s;
  s.name = std::move(name);
  s.command = std::move(command);
  return s;
}

TestSpec test_with_steps(int n, std::vector<std::string> command = {"true"}) {
  TestSpec t;
  t.name = "scenario_bench";
  t.file = "scenario_bench.clnrm.toml";
  for (int i = 0; i < n; ++i) t.steps.push_back(step("step_" + std::to_string(i), command));
  return t;
}

bool sandbox_missing(benchmark::State& state, std::int64_t backend) {
  if (backend != 1) return false;
  if (auto why = probe_sandbox_support().blocker()) {
    state.SkipWithError(why->c_str());
    return true;
  }
  return false;
}

void run_checked(benchmark::State& state, Session& env, const TestSpec& spec,
                 const TestContext& ctx = {}) {
  TestResult r = run_test(env, spec, ctx);
  if (r.status != Status::Passed) state.SkipWithError(("test failed: " + r.message).c_str());
  benchmark::DoNotOptimize(r);
}

void Scenario_SingleStep(benchmark::State& state) {
  if (sandbox_missing(state, state.range(0))) return;
  auto env = make_env(state.range(0));
  const TestSpec spec = test_with_steps(1);
  for (auto _ : state) run_checked(state, *env, spec);
}
BENCHMARK(Scenario_SingleStep)
    ->ArgName("backend")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void Scenario_MultiStep(benchmark::State& state) {
  if (sandbox_missing(state, state.range(0))) return;
  auto env = make_env(state.range(0));
  const TestSpec spec = test_with_steps(static_cast<int>(state.range(1)));
  for (auto _ : state) run_checked(state, *env, spec);
  // Seconds per step (shown in us by the kInvert rate); the slope over steps.
  state.counters["us_per_step"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(1)) / 1e6,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(Scenario_MultiStep)
    ->ArgNames({"backend", "steps"})
    ->ArgsProduct({{0, 1}, {2, 5, 10, 20, 50}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void Scenario_Concurrent(benchmark::State& state) {
  if (sandbox_missing(state, 1)) return;
  auto env = make_env(1);
  const int n = static_cast<int>(state.range(0));
  TestSpec concurrent;
  concurrent.name = "concurrent";
  ScenarioSpec sc;
  sc.name = "fan_out";
  sc.concurrent = true;
  for (int i = 0; i < n; ++i) sc.steps.push_back(step("s" + std::to_string(i), {"sleep", "0.02"}));
  concurrent.scenarios.push_back(sc);
  TestSpec sequential = concurrent;
  sequential.scenarios[0].concurrent = false;
  double seq_s = 0, conc_s = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    run_checked(state, *env, concurrent);
    const double c = std::chrono::duration<double>(Clock::now() - t0).count();
    state.PauseTiming();  // the sequential reference is not the benchmark's time
    t0 = Clock::now();
    run_checked(state, *env, sequential);
    seq_s += std::chrono::duration<double>(Clock::now() - t0).count();
    state.ResumeTiming();
    conc_s += c;
  }
  state.counters["speedup"] = conc_s > 0 ? seq_s / conc_s : 0;
}
BENCHMARK(Scenario_Concurrent)
    ->ArgName("steps")
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void Scenario_SecurityLevel(benchmark::State& state) {
  if (sandbox_missing(state, 1)) return;
  auto env = make_env(1);
  TestSpec spec = test_with_steps(3);
  spec.policy.level = static_cast<SecurityLevel>(state.range(0));
  for (auto _ : state) run_checked(state, *env, spec);
}
BENCHMARK(Scenario_SecurityLevel)
    ->ArgName("level")
    ->Arg(static_cast<int>(SecurityLevel::Low))
    ->Arg(static_cast<int>(SecurityLevel::Medium))
    ->Arg(static_cast<int>(SecurityLevel::High))
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void Scenario_Deterministic(benchmark::State& state) {
  if (sandbox_missing(state, 1)) return;
  auto env = make_env(1);
  TestSpec spec = test_with_steps(3, {"sh", "-c", "test \"$CLNRM_SEED\" = 42"});
  spec.determinism.seed = 42;
  for (auto _ : state) run_checked(state, *env, spec);
}
BENCHMARK(Scenario_Deterministic)->UseRealTime()->Unit(benchmark::kMicrosecond);

void Scenario_Execution(benchmark::State& state) {
  if (sandbox_missing(state, 1)) return;
  auto env = make_env(1);
  std::vector<TestSpec> tests(10, test_with_steps(1, {"sleep", "0.005"}));
  RunOptions options;
  options.jobs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    RunResult r = run_tests(*env, tests, options);
    if (!r.all_passed()) state.SkipWithError("a test failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(Scenario_Execution)
    ->ArgName("jobs")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void Scenario_Timeout(benchmark::State& state) {
  if (sandbox_missing(state, 1)) return;
  auto env = make_env(1);
  const auto timeout = std::chrono::milliseconds(state.range(0));
  TestSpec spec = test_with_steps(1, {"sleep", "60"});
  spec.steps[0].timeout = timeout;
  double overshoot_us = 0;
  for (auto _ : state) {
    TestResult r = run_test(*env, spec, {});
    if (r.status != Status::TimedOut) state.SkipWithError("the step was not timed out");
    overshoot_us +=
        std::chrono::duration<double, std::micro>(r.steps[0].duration - timeout).count();
  }
  state.counters["kill_latency_us"] =
      benchmark::Counter(overshoot_us, benchmark::Counter::kAvgIterations);
}

bool long_variants_wanted(int argc, char** argv) {
  if (const char* v = std::getenv("CLNRM_BENCH_LONG"); v && std::strcmp(v, "1") == 0) return true;
  for (int i = 1; i < argc; ++i) {
    constexpr std::string_view flag = "--benchmark_repetitions=";
    std::string_view a = argv[i];
    if (a.substr(0, flag.size()) == flag && std::atoi(argv[i] + flag.size()) > 1) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  auto* timeouts = benchmark::RegisterBenchmark("Scenario_Timeout", Scenario_Timeout);
  timeouts->ArgName("ms")->Arg(100)->Arg(500)->Arg(1000)->UseRealTime()->Iterations(1)->Unit(
      benchmark::kMillisecond);
  if (long_variants_wanted(argc, argv)) timeouts->Arg(5000);
  clnrm::bench::add_platform_context();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
