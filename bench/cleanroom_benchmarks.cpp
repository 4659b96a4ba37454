// The cleanroom lifecycle on the core model with the null backend: what the
// framework itself costs per environment, plugin, service,
// metrics snapshot and health check, and how that scales with concurrent
// tasks. The null backend runs nothing, so these are framework overhead
// only. The `_Sandbox` variants at the end do the same on the REAL sandbox
// backend: a real `process` service (sleep) started / started+stopped, a
// cleanroom (pod) fresh per step vs reused, and a whole test through the
// runner (with and without a service). The Docker ones live in
// docker_benchmarks.cpp.
#include <benchmark/benchmark.h>
#include <clnrm/session.h>
#include <clnrm/metrics.h>
#include <clnrm/runner.h>
#include <clnrm/sandbox.h>
#include <clnrm/service.h>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/measured_loop.h"

namespace {

using clnrm::bench::measured;

clnrm::ServiceSpec process_service(std::string name) {
  clnrm::ServiceSpec spec;
  spec.name = std::move(name);
  spec.plugin = "process";
  spec.args = {"redis-server", "--port", "6379"};
  return spec;
}

void BM_SessionCreate(benchmark::State& state) {
  for (auto _ : measured(state)) {
    clnrm::Session env(clnrm::make_null_backend());
    benchmark::DoNotOptimize(env.session_id());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionCreate);

void BM_SessionCreateWithBuiltinPlugins(benchmark::State& state) {
  for (auto _ : measured(state)) {
    clnrm::Session env(clnrm::make_null_backend());
    clnrm::register_builtin_plugins(env.services());
    benchmark::DoNotOptimize(env.services().size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionCreateWithBuiltinPlugins);

// Registering the built-in plugins into an empty registry (two plugins per
// iteration; the registry itself is part of the loop, it is one allocation).
void BM_PluginRegistration(benchmark::State& state) {
  for (auto _ : measured(state)) {
    clnrm::ServiceRegistry registry;
    clnrm::register_builtin_plugins(registry);
    benchmark::DoNotOptimize(registry.size());
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_PluginRegistration);

void BM_PluginLookup(benchmark::State& state) {
  clnrm::ServiceRegistry registry;
  clnrm::register_builtin_plugins(registry);
  for (auto _ : measured(state)) benchmark::DoNotOptimize(registry.find("process"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PluginLookup);

// Session::start_service through the `process` plugin on a null pod; the
// handle is released at the end of each iteration without stop().
void BM_ServiceStart_NullBackend(benchmark::State& state) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  const auto spec = process_service("db");
  for (auto _ : measured(state)) {
    auto handle = env.start_service(*pod, spec);
    benchmark::DoNotOptimize(handle);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceStart_NullBackend);

void BM_ServiceStartStop_NullBackend(benchmark::State& state) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  const auto spec = process_service("db");
  for (auto _ : measured(state)) {
    auto handle = env.start_service(*pod, spec);
    env.stop_service(handle);
    benchmark::DoNotOptimize(handle);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceStartStop_NullBackend);

// A whole cleanroom on the null backend: pod, one service, health, stop,
// destroy: the per-test framework cost.
void BM_CleanroomLifecycle_NullBackend(benchmark::State& state) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  const auto spec = process_service("db");
  clnrm::PodSpec pod_spec;
  pod_spec.session_id = env.session_id();
  pod_spec.test_name = "bench";
  for (auto _ : measured(state)) {
    auto pod = env.backend().create_pod(pod_spec);
    auto handle = env.start_service(*pod, spec);
    benchmark::DoNotOptimize(env.check_health(handle));
    env.stop_service(handle);
    pod->destroy();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CleanroomLifecycle_NullBackend);

void BM_MetricsSnapshot(benchmark::State& state) {
  clnrm::Session env(clnrm::make_null_backend());
  env.metrics().add(clnrm::Metrics::Counter::TestsStarted, 3);
  for (auto _ : measured(state)) benchmark::DoNotOptimize(env.metrics().snapshot());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsSnapshot);

void BM_MetricsIncrement(benchmark::State& state) {
  clnrm::Metrics metrics;
  for (auto _ : measured(state)) metrics.add(clnrm::Metrics::Counter::StepsRun);
  benchmark::DoNotOptimize(metrics.get(clnrm::Metrics::Counter::StepsRun));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsIncrement);

// N concurrent tasks (threads), each running one cleanroom lifecycle on a
// shared Session: the cost of the framework's shared state (registries,
// metrics) under parallel tests, thread start included.
void BM_ConcurrentCleanrooms_NullBackend(benchmark::State& state) {
  const auto tasks = static_cast<int>(state.range(0));
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  const auto spec = process_service("db");
  for (auto _ : state) {
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<std::size_t>(tasks));
    for (int t = 0; t < tasks; ++t) {
      workers.emplace_back([&env, &spec, t] {
        clnrm::PodSpec pod_spec;
        pod_spec.session_id = env.session_id();
        pod_spec.test_name = fmt::format("task{}", t);
        auto pod = env.backend().create_pod(pod_spec);
        auto handle = env.start_service(*pod, spec);
        benchmark::DoNotOptimize(env.check_health(handle));
        env.stop_service(handle);
        pod->destroy();
      });
    }
  }  // jthreads join here, inside the timed loop
  state.SetItemsProcessed(state.iterations() * tasks);
  state.counters["tasks"] = tasks;
}
BENCHMARK(BM_ConcurrentCleanrooms_NullBackend)->Arg(1)->Arg(5)->Arg(10)->Arg(25)->Arg(50)->UseRealTime();

void BM_HealthChecks_NullBackend(benchmark::State& state) {
  const auto services = static_cast<int>(state.range(0));
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  std::vector<clnrm::ServiceHandle> handles;
  for (int i = 0; i < services; ++i) handles.push_back(env.start_service(*pod, process_service(fmt::format("svc{}", i))));
  for (auto _ : measured(state)) {
    int healthy = 0;
    for (const auto& h : handles) healthy += env.check_health(h) == clnrm::HealthStatus::Healthy;
    benchmark::DoNotOptimize(healthy);
  }
  state.SetItemsProcessed(state.iterations() * services);
  for (auto& h : handles) env.stop_service(h);
}
BENCHMARK(BM_HealthChecks_NullBackend)->Arg(1)->Arg(5)->Arg(10)->Arg(20);

// ---- the real sandbox backend ----

bool no_sandbox(benchmark::State& state) {
  if (auto why = clnrm::probe_sandbox_support().blocker()) {
    state.SkipWithError(why->c_str());
    return true;
  }
  return false;
}

clnrm::ServiceSpec sleeping_service() {
  clnrm::ServiceSpec spec;
  spec.name = "sleeper";
  spec.plugin = "process";
  spec.args = {"sleep", "600"};
  return spec;
}

// Start of a real process service in an existing pod (fork into the pod's
// namespaces, exec). Stopping it is outside the timed region.
void BM_ServiceStart_Sandbox(benchmark::State& state) {
  if (no_sandbox(state)) return;
  clnrm::Session env(clnrm::make_sandbox_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  const auto spec = sleeping_service();
  for (auto _ : state) {
    auto handle = env.start_service(*pod, spec);
    state.PauseTiming();
    env.stop_service(handle);
    state.ResumeTiming();
  }
  pod->destroy();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceStart_Sandbox)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Start + stop (SIGTERM, reap) of a real process service.
void BM_ServiceStartStop_Sandbox(benchmark::State& state) {
  if (no_sandbox(state)) return;
  clnrm::Session env(clnrm::make_sandbox_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  const auto spec = sleeping_service();
  for (auto _ : state) {
    auto handle = env.start_service(*pod, spec);
    env.stop_service(handle);
  }
  pod->destroy();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceStartStop_Sandbox)->UseRealTime()->Unit(benchmark::kMicrosecond);

clnrm::ProcessSpec true_step() {
  clnrm::ProcessSpec p;
  p.name = "true";
  p.argv = {"/bin/true"};
  return p;
}

// A fresh cleanroom per step: create pod (namespaces, mounts, loopback),
// one step, destroy.
void BM_CleanroomFresh_Sandbox(benchmark::State& state) {
  if (no_sandbox(state)) return;
  clnrm::Session env(clnrm::make_sandbox_backend());
  clnrm::CancelToken cancel;
  clnrm::PodSpec pod_spec;
  pod_spec.session_id = env.session_id();
  pod_spec.test_name = "bench";
  const auto step = true_step();
  for (auto _ : state) {
    auto pod = env.backend().create_pod(pod_spec);
    auto r = pod->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError("step failed");
    pod->destroy();
  }
}
BENCHMARK(BM_CleanroomFresh_Sandbox)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The same step in a reused cleanroom: what a pod costs is the difference.
void BM_CleanroomReused_Sandbox(benchmark::State& state) {
  if (no_sandbox(state)) return;
  clnrm::Session env(clnrm::make_sandbox_backend());
  clnrm::CancelToken cancel;
  clnrm::PodSpec pod_spec;
  pod_spec.session_id = env.session_id();
  pod_spec.test_name = "bench";
  auto pod = env.backend().create_pod(pod_spec);
  const auto step = true_step();
  for (auto _ : state) {
    auto r = pod->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError("step failed");
  }
  pod->destroy();
}
BENCHMARK(BM_CleanroomReused_Sandbox)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A whole test through the runner (pod, [service], 2 steps, verdict,
// teardown). Arg: 0 no service, 1 one process service.
void BM_TestExecution_Sandbox(benchmark::State& state) {
  if (no_sandbox(state)) return;
  clnrm::Session env(clnrm::make_sandbox_backend());
  clnrm::register_builtin_plugins(env.services());
  clnrm::TestSpec spec;
  spec.name = "bench";
  spec.file = "bench.clnrm.toml";
  for (const char* name : {"one", "two"}) {
    clnrm::StepSpec s;
    s.name = name;
    s.command = {"true"};
    spec.steps.push_back(s);
  }
  if (state.range(0) == 1) spec.services.push_back(sleeping_service());
  for (auto _ : state) {
    clnrm::TestResult r = clnrm::run_test(env, spec, {});
    if (r.status != clnrm::Status::Passed) state.SkipWithError(r.message.c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_TestExecution_Sandbox)->ArgName("service")->Arg(0)->Arg(1)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
