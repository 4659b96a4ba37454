// Docker backend benchmarks against the real engine (scripts/start-docker.sh
// + scripts/make-test-images.sh). Compared side by side with
// testcontainers-node by bench/peers/testcontainers-node/compare.sh.
//
//   fresh:  a pod + one exec + teardown (what a one-step test costs)
//   warm:   one exec in a running step container (what each further step costs)
//   design: a fresh container per step (create/start/wait/logs/remove), the
//           alternative to exec-in-step-container
//   10-step test with one service, created fresh vs adopted warm (reuse)
#include <benchmark/benchmark.h>
#include <clnrm/docker.h>
#include <clnrm/error.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/owner.h"

namespace {

using namespace clnrm;

const char* kBusybox = "clnrm-test/busybox";
const char* kRedis = "clnrm-test/redis";

DockerOptions bench_options() {
  DockerOptions o;
  o.pull_missing = false;
  o.reap_on_start = false;
  return o;
}

Backend& make_backend(bool agent) {
  static std::unique_ptr<Backend> with_agent, without_agent;
  auto& b = agent ? with_agent : without_agent;
  if (!b) {
    try {
      DockerOptions o = bench_options();
      o.step_agent = agent;
      b = make_docker_backend(o);
    } catch (const Error& e) {
      std::fprintf(stderr, "docker benchmarks: %s\nRun scripts/start-docker.sh && scripts/make-test-images.sh\n",
                   e.describe().c_str());
      std::exit(1);
    }
  }
  return *b;
}

Backend& backend() { return make_backend(true); }

PodSpec pod_spec(const char* name, const char* image = kBusybox) {
  PodSpec s;
  s.test_name = name;
  s.image = image;
  s.level = SecurityLevel::Low;  // same settings as the testcontainers peer (none)
  return s;
}

ProcessSpec step(std::vector<std::string> argv, std::string image = {}) {
  ProcessSpec p;
  p.name = "step";
  p.argv = std::move(argv);
  p.image = std::move(image);
  return p;
}

void check(const ExecResult& r, benchmark::State& state) {
  if (r.exit_code != 0) state.SkipWithError(("step failed: " + r.stderr_data).c_str());
}

// Strict: the test is not done until its containers are removed.
void BM_DockerFreshPodExecRemove(benchmark::State& state) {
  CancelToken never;
  for (auto _ : state) {
    auto pod = backend().create_pod(pod_spec("bench-fresh"));
    check(pod->exec(step({"true"}), never), state);
    pod->destroy();
    docker_wait_teardown(backend());
  }
}
BENCHMARK(BM_DockerFreshPodExecRemove)->Unit(benchmark::kMillisecond)->UseRealTime();

// A suite of one-step tests run back to back: each pod's removal overlaps
// the next test (async teardown); the batch ends only when all are removed.
// Reported time is per test.
void BM_DockerFreshPodExecRemoveSequential(benchmark::State& state) {
  CancelToken never;
  constexpr int kBatch = 5;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kBatch; ++i) {
      auto pod = backend().create_pod(pod_spec("bench-fresh-seq"));
      check(pod->exec(step({"true"}), never), state);
      pod->destroy();
    }
    docker_wait_teardown(backend());
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / kBatch);
  }
}
BENCHMARK(BM_DockerFreshPodExecRemoveSequential)->Unit(benchmark::kMillisecond)->UseManualTime();

// One container, no pod: the floor set by the engine (create+start+exec+rm).
void BM_DockerRawContainerExecRemove(benchmark::State& state) {
  docker::DockerClient c(docker::make_curl_transport(docker::resolve_endpoint_from_environment()));
  c.connect();
  nlohmann::json body = {{"Image", kBusybox}, {"Cmd", {"sleep", "2147483647"}}, {"HostConfig", {{"NetworkMode", "none"}}}};
  for (auto _ : state) {
    const std::string id = c.container_create(body, "");
    c.container_start(id);
    auto exec_id = c.exec_create(id, {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", {"true"}}});
    auto out = c.exec_start(exec_id, 1 << 20, std::chrono::milliseconds(0), nullptr);
    c.container_remove(id, true);
    if (!out.exit_code || *out.exit_code != 0) state.SkipWithError("exec failed");
  }
}
BENCHMARK(BM_DockerRawContainerExecRemove)->Unit(benchmark::kMillisecond)->UseRealTime();

// One step in a running step container, through the step agent (default).
void BM_DockerWarmExec(benchmark::State& state) {
  CancelToken never;
  auto pod = backend().create_pod(pod_spec("bench-warm"));
  check(pod->exec(step({"true"}), never), state);  // creates the step container
  for (auto _ : state) check(pod->exec(step({"true"}), never), state);
  pod->destroy();
}
BENCHMARK(BM_DockerWarmExec)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same through the engine's exec API (create + start + inspect).
void BM_DockerWarmEngineExec(benchmark::State& state) {
  CancelToken never;
  auto pod = make_backend(false).create_pod(pod_spec("bench-warm-engine"));
  check(pod->exec(step({"true"}), never), state);
  for (auto _ : state) check(pod->exec(step({"true"}), never), state);
  pod->destroy();
}
BENCHMARK(BM_DockerWarmEngineExec)->Unit(benchmark::kMillisecond)->UseRealTime();

// The rejected design: every step in a fresh container joined to the pod.
void BM_DockerFreshContainerPerStep(benchmark::State& state) {
  docker::DockerClient c(docker::make_curl_transport(docker::resolve_endpoint_from_environment()));
  c.connect();
  nlohmann::json pod_body = {{"Image", kBusybox}, {"Cmd", {"sleep", "2147483647"}}, {"HostConfig", {{"NetworkMode", "none"}}}};
  const std::string pod = c.container_create(pod_body, "");
  c.container_start(pod);
  nlohmann::json body = {{"Image", kBusybox}, {"Cmd", {"true"}}, {"HostConfig", {{"NetworkMode", "container:" + pod}}}};
  for (auto _ : state) {
    const std::string id = c.container_create(body, "");
    c.container_start(id);
    const int code = c.container_wait(id);
    benchmark::DoNotOptimize(c.container_logs(id, 0));
    c.container_remove(id, true);
    if (code != 0) state.SkipWithError("step failed");
  }
  c.container_remove(pod, true);
}
BENCHMARK(BM_DockerFreshContainerPerStep)->Unit(benchmark::kMillisecond)->UseRealTime();

ProcessSpec redis_service(bool reuse) {
  ProcessSpec p;
  p.name = "db";
  p.image = kRedis;
  p.argv = {"redis-server", "--port", "6379", "--save", ""};
  p.reuse = reuse;
  return p;
}

void wait_redis(Pod& pod, benchmark::State& state) {
  CancelToken never;
  for (int i = 0; i < 200; ++i) {
    if (pod.exec(step({"redis-cli", "ping"}), never).stdout_data == "PONG\n") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  state.SkipWithError("redis never became ready");
}

// A pod of the ten-step test with its redis service up and answering
// (`reuse`: adopting the warm unit, made by the first such call).
struct RedisTest {
  std::unique_ptr<Pod> pod;
  std::unique_ptr<ServiceInstance> service;
};
RedisTest ready_redis_test(benchmark::State& state, bool reuse) {
  RedisTest t;
  t.pod = backend().create_pod(pod_spec("bench-ten-step", kRedis));
  t.service = t.pod->start_service(redis_service(reuse));
  wait_redis(*t.pod, state);
  return t;
}

// Tears a ready_redis_test down as a test's end does.
void end_redis_test(RedisTest& t) {
  t.service->stop(Duration(0));
  t.pod->destroy();
  docker_wait_teardown(backend());
}

// A test with one redis service and 10 steps (readiness by exec probe, as
// the runner does), then teardown. Steps either talk to redis at 127.0.0.1
// with redis-cli (~3-4 ms of CPU each, mostly the dynamic linker relocating
// its 15 shared libraries; the same in both variants, see
// BM_DockerTenStepTestRedisCliFloor) or are trivial (`true`), which shows
// the framework's part.
void ten_step_test(benchmark::State& state, bool reuse, bool trivial_steps = false) {
  CancelToken never;
  const std::vector<std::string> argv =
      trivial_steps ? std::vector<std::string>{"true"} : std::vector<std::string>{"redis-cli", "incr", "n"};
  // Untimed: make sure a warm unit exists (the first run creates it).
  if (reuse) ready_redis_test(state, true);
  for (auto _ : state) {
    RedisTest t = ready_redis_test(state, reuse);
    for (int i = 0; i < 10; ++i) check(t.pod->exec(step(argv), never), state);
    end_redis_test(t);
  }
}
void BM_DockerTenStepTestFreshService(benchmark::State& state) { ten_step_test(state, false); }
void BM_DockerTenStepTestReusedService(benchmark::State& state) { ten_step_test(state, true); }
BENCHMARK(BM_DockerTenStepTestFreshService)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DockerTenStepTestReusedService)->Unit(benchmark::kMillisecond)->UseRealTime();
void BM_DockerTenTrivialStepTestFreshService(benchmark::State& state) { ten_step_test(state, false, true); }
void BM_DockerTenTrivialStepTestReusedService(benchmark::State& state) { ten_step_test(state, true, true); }
BENCHMARK(BM_DockerTenTrivialStepTestFreshService)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DockerTenTrivialStepTestReusedService)->Unit(benchmark::kMillisecond)->UseRealTime();

// The floor of the reused redis test: its 11 redis-cli processes (1 ping +
// 10 incr) run back to back by a shell loop inside the warm unit, in one
// step. No framework can run that test faster than this, so
// fresh / floor is the best reuse ratio this workload allows on this machine.
void BM_DockerTenStepTestRedisCliFloor(benchmark::State& state) {
  CancelToken never;
  RedisTest t = ready_redis_test(state, true);
  const auto loop = step({"sh", "-c",
                          "redis-cli ping >/dev/null && i=0 && while [ $i -lt 10 ]; do "
                          "redis-cli incr n >/dev/null || exit 1; i=$((i+1)); done"});
  for (auto _ : state) check(t.pod->exec(loop, never), state);
}
BENCHMARK(BM_DockerTenStepTestRedisCliFloor)->Unit(benchmark::kMillisecond)->UseRealTime();

// Only getting a ready service (what reuse saves), without the 10 steps.
void service_ready(benchmark::State& state, bool reuse) {
  if (reuse) ready_redis_test(state, true);
  for (auto _ : state) {
    RedisTest t = ready_redis_test(state, reuse);
    end_redis_test(t);
  }
}
void BM_DockerServiceReadyFresh(benchmark::State& state) { service_ready(state, false); }
void BM_DockerServiceReadyReused(benchmark::State& state) { service_ready(state, true); }
BENCHMARK(BM_DockerServiceReadyFresh)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DockerServiceReadyReused)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reuse benchmarks leave warm units by design; a benchmark run must not
// leave containers behind, so remove those at the end: the ones this process
// made and those of dead processes. A unit of another live benchmark run
// (another checkout measuring on the same engine) is in use: keep it.
void remove_warm_units() {
  try {
    docker::DockerClient c(docker::make_curl_transport(docker::resolve_endpoint_from_environment()));
    c.connect();
    for (const auto& found : c.container_list({"clnrm.reuse-name=bench-ten-step/db"})) {
      const auto labels = found.value("Labels", std::map<std::string, std::string>{});
      const auto owner = labels.find(docker::kLabelPid);
      const bool mine = owner != labels.end() && owner->second == std::to_string(docker::self_owner().pid);
      if (mine || docker::owner_state(labels) == docker::OwnerState::Dead) c.container_remove(found.value("Id", ""), true);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "docker benchmarks: cleanup: %s\n", e.describe().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  remove_warm_units();
  return 0;
}
