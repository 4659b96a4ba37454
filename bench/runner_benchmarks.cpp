// Runner overhead with the null backend (nothing is executed): what the
// framework itself costs per step, per cleanroom object and per test.
// Targets (issue 3): < 10 us per step, < 20 us per Session + pod.
// Per-step numbers are in the `per_step` counter (seconds per step).
// Metrics overhead (issue 5: collection adds < 2% to a 1-step null-backend
// test): BM_NullOneStepFile/metrics:{0,1} and BM_NullOneStepTest/metrics:{0,1},
// compared with --benchmark_enable_random_interleaving=true.
#include <benchmark/benchmark.h>
#include <clnrm/session.h>
#include <clnrm/parser.h>
#include <clnrm/runner.h>
#include <re2/re2.h>

#include <optional>

#include "run/step_runner.h"
#include "support/measured_loop.h"

namespace {

using namespace clnrm;

Pattern pattern(const std::string& re) { return Pattern{re, std::make_shared<const re2::RE2>(re)}; }

// A realistic step: a command, an output regex, an exit code, one env var.
StepSpec typical_step(int i) {
  StepSpec s;
  s.name = "step_" + std::to_string(i);
  s.command = {"echo", "hello"};
  s.expected_output_regex = pattern(".*");
  s.env = {{"MODE", "bench"}};
  return s;
}

TestSpec test_with_steps(int steps) {
  TestSpec t;
  t.name = "bench";
  t.file = "bench.clnrm.toml";
  for (int i = 0; i < steps; ++i) t.steps.push_back(typical_step(i));
  return t;
}

// One step through the runner's step path: env merge, process spec, exec
// (null), assertions, metrics.
void BM_NullStep(benchmark::State& state) {
  Session env(make_null_backend());
  auto pod = env.backend().create_pod({});
  std::vector<run::RunningService> services;
  const EnvList base = {{"CLNRM_TEST", "bench"}};
  CancelToken cancel;
  run::StepContext ctx;
  ctx.env = &env;
  ctx.metrics = &env.metrics();
  ctx.pod = pod.get();
  ctx.services = &services;
  ctx.base_env = &base;
  ctx.cancel = &cancel;
  const StepSpec step = typical_step(0);
  for (auto _ : state) {
    StepResult r = run::run_step(ctx, step, {});
    benchmark::DoNotOptimize(r);
  }
  state.counters["per_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NullStep);

// A whole test (pod, steps, teardown, verdict) with N steps: the slope over
// N is the per-step overhead, the intercept the per-test one.
void BM_NullTestSteps(benchmark::State& state) {
  Session env(make_null_backend());
  register_builtin_plugins(env.services());
  const TestSpec spec = test_with_steps(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    TestResult r = run_test(env, spec, {});
    benchmark::DoNotOptimize(r);
  }
  state.counters["per_step"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NullTestSteps)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

// A cleanroom object: Session (registries, builtin plugins) +
// one pod, destroyed again.
void BM_NullCleanroomObject(benchmark::State& state) {
  for (auto _ : state) {
    Session env(make_null_backend());
    register_builtin_plugins(env.services());
    PodSpec spec;
    spec.session_id = env.session_id();
    spec.test_name = "bench";
    auto pod = env.backend().create_pod(spec);
    pod->destroy();
    benchmark::DoNotOptimize(pod);
  }
}
BENCHMARK(BM_NullCleanroomObject);

// A pod in an existing session (what each test pays).
void BM_NullPodInSession(benchmark::State& state) {
  Session env(make_null_backend());
  PodSpec spec;
  spec.session_id = env.session_id();
  spec.test_name = "bench";
  for (auto _ : state) {
    auto pod = env.backend().create_pod(spec);
    pod->destroy();
    benchmark::DoNotOptimize(pod);
  }
}
BENCHMARK(BM_NullPodInSession);

// 100 one-step tests through the parallel runner (lanes, plan, callbacks).
void BM_NullPlan100(benchmark::State& state) {
  Session env(make_null_backend());
  register_builtin_plugins(env.services());
  std::vector<TestSpec> tests;
  for (int i = 0; i < 100; ++i) tests.push_back(test_with_steps(1));
  RunOptions opts;
  opts.jobs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    RunResult r = run_tests(env, tests, opts);
    benchmark::DoNotOptimize(r);
  }
  state.counters["per_test"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 100),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NullPlan100)->Arg(1)->Arg(2)->UseRealTime();

// The collection is real or absent, never half: with metrics:1 every
// iteration must have counted its step, with metrics:0 nothing may be counted.
void check_counted(benchmark::State& state, const Session& env, bool collect) {
  if (state.error_occurred()) return;  // the loop stopped early
  const std::uint64_t steps = env.metrics().get(Metrics::Counter::StepsRun);
  const std::uint64_t expected = collect ? static_cast<std::uint64_t>(state.iterations()) : 0;
  if (steps != expected)
    state.SkipWithError(("steps counted: " + std::to_string(steps) + ", expected " +
                         std::to_string(expected))
                            .c_str());
}

// bench/data/one_step.clnrm.toml parsed; nullopt (and the benchmark skipped)
// when it does not parse.
std::optional<TestSpec> one_step_test(benchmark::State& state) {
  ParseResult parsed = parse_test_file(CLNRM_BENCH_DATA_DIR "/one_step.clnrm.toml");
  if (!parsed.ok()) state.SkipWithError("bench/data/one_step.clnrm.toml does not parse");
  return std::move(parsed.spec);
}

// bench/data/one_step.clnrm.toml (one `echo hello` + regex) through the
// runner, as `clnrm run --backend null` runs it after parsing: plan, one lane,
// run_test, file hash, result. metrics:1 collects the session counters
// (RunOptions::collect_metrics, the default), metrics:0 does not.
void BM_NullOneStepFile(benchmark::State& state) {
  const std::optional<TestSpec> spec = one_step_test(state);
  if (!spec) return;
  Session env(make_null_backend());
  register_builtin_plugins(env.services());
  const std::vector<TestSpec> tests = {*spec};
  RunOptions opts;
  opts.jobs = 1;
  opts.collect_metrics = state.range(0) != 0;
  for (auto _ : bench::measured(state)) {
    RunResult r = run_tests(env, tests, opts);
    if (r.tests.size() != 1 || r.tests[0].status != Status::Passed) {
      state.SkipWithError("the one-step test did not pass");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  check_counted(state, env, opts.collect_metrics);
}
BENCHMARK(BM_NullOneStepFile)->ArgName("metrics")->Arg(0)->Arg(1);

// The same test through run_test alone (no plan, lane or file hash): the
// smallest denominator, so the largest relative metrics overhead.
void BM_NullOneStepTest(benchmark::State& state) {
  const std::optional<TestSpec> spec = one_step_test(state);
  if (!spec) return;
  Session env(make_null_backend());
  register_builtin_plugins(env.services());
  TestContext ctx;
  ctx.collect_metrics = state.range(0) != 0;
  for (auto _ : bench::measured(state)) {
    TestResult r = run_test(env, *spec, ctx);
    if (r.status != Status::Passed) {
      state.SkipWithError("the one-step test did not pass");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  check_counted(state, env, ctx.collect_metrics);
}
BENCHMARK(BM_NullOneStepTest)->ArgName("metrics")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
