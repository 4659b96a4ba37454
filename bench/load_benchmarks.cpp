// Load: one run of many tests through the real runner, in process, so the
// numbers are the runner's own (not the CLI's startup or its children):
//
//   load/sandbox: N trivial tests (default 1,000; CLNRM_LOAD_SANDBOX_TESTS)
//                 on the sandbox backend with --jobs 2
//   load/docker:  N tests each with a service container (default 200;
//                 CLNRM_LOAD_DOCKER_TESTS) on the Docker engine, --jobs 2
//
// Counters: tests, failed (must be 0), peak_rss_mib (VmHWM of this process
// after the run: the runner's peak; target < 64 MiB), fds_start / fds_end
// (open descriptors before and after the run), fd_leak (must be 0; see run_load).
// Wall time is the benchmark's real_time (one iteration: a run is long).
//
//   build/release/bench/load_benchmarks --benchmark_repetitions=1
//
// A benchmark rather than a timed test (tests assert no times; docs/BENCHMARKING_GUIDE.md): nothing here asserts
// a time; fd_leak != 0 or failed != 0 marks the run as an error.
#include <benchmark/benchmark.h>
#include <clnrm/docker.h>
#include <clnrm/session.h>
#include <clnrm/parser.h>
#include <clnrm/runner.h>
#include <clnrm/sandbox.h>
#include <clnrm/service.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

int open_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;  // the directory iterator's own descriptor
}

// The descriptor count once the backend's background work has settled (the
// Docker backend removes torn-down containers on a worker after run_tests
// returns, each removal holding a socket for a moment): the same count for
// 200 ms in a row, or the last one read after 10 s (a real leak stays).
int settled_fds() {
  int last = open_fds();
  int same = 0;
  for (int i = 0; i < 200 && same < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int now = open_fds();
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

// "3 -> socket:[1234]" for every open descriptor (named in a leak report).
std::string describe_fds() {
  std::string out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    out += " " + e.path().filename().string() + "->" + std::filesystem::read_symlink(e.path(), ec).string();
  }
  return out;
}

double peak_rss_mib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

std::vector<clnrm::TestSpec> make_specs(int n, const std::string& body) {
  std::vector<clnrm::TestSpec> specs;
  specs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string name = "load_" + std::to_string(i);
    auto r = clnrm::parse_test_text("[test.metadata]\nname = \"" + name + "\"\n" + body, name + ".clnrm.toml");
    if (!r.ok()) throw std::runtime_error(r.diagnostics.front().format());
    specs.push_back(std::move(*r.spec));
  }
  return specs;
}

// fds_start: before the backend exists; fds_after_first: after a warm-up;
// fds_after_run: after all of them, backend still alive; fds_end: after the
// backend is destroyed. The leak check is fds_after_run == fds_after_first.
// fds_end - fds_start is what outlives the backend: nothing for the sandbox
// since its keeper pipe lives only while pods do (src/backend/sandbox/pod_init_launcher.h).
void run_load(benchmark::State& state, const char* label, std::shared_ptr<clnrm::Backend> backend, const std::vector<clnrm::TestSpec>& specs,
              int fds_start) {
  std::size_t failed = 0;
  int fds_after_first = 0, fds_after_run = 0;
  {
    clnrm::Session env(std::move(backend));
    clnrm::register_builtin_plugins(env.services());
    clnrm::RunOptions options;
    options.jobs = 2;
    // A warm-up of 20 tests (both lanes busy) starts what lives as long as
    // the backend and grows its pools to their steady size: the sandbox's
    // standby pod and cgroup pool (as many group sets as pods alive at once:
    // the lanes' plus the standby), the Docker backend's standby anchors.
    // A leak grows with the number of tests; these do not.
    const std::vector<clnrm::TestSpec> first(specs.begin(),
                                             specs.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(20, specs.size())));
    for (auto _ : state) {
      state.PauseTiming();
      (void)clnrm::run_tests(env, first, options);
      fds_after_first = settled_fds();
      state.ResumeTiming();
      const clnrm::RunResult run = clnrm::run_tests(env, specs, options);
      for (const auto& t : run.tests) failed += t.status == clnrm::Status::Passed ? 0 : 1;
    }
    fds_after_run = settled_fds();
  }
  const int fds_end = open_fds();
  state.counters["fds_after_first"] = fds_after_first;
  state.counters["fds_after_run"] = fds_after_run;
  state.counters["tests"] = static_cast<double>(specs.size());
  state.counters["failed"] = static_cast<double>(failed);
  state.counters["peak_rss_mib"] = peak_rss_mib();
  state.counters["fds_start"] = fds_start;
  state.counters["fds_end"] = fds_end;
  state.counters["fd_leak"] = fds_after_run - fds_after_first;
  state.counters["fds_process_lifetime"] = fds_end - fds_start;
  if (failed != 0) state.SkipWithError("tests failed under load");
  std::fprintf(stderr, "%s: tests=%zu failed=%zu peak_rss_mib=%.1f fds_start=%d fds_after_first=%d fds_after_run=%d fds_end=%d\n",
               label, specs.size(), failed, peak_rss_mib(), fds_start, fds_after_first, fds_after_run, fds_end);
  if (fds_after_run != fds_after_first) {
    std::fprintf(stderr, "%s: open descriptors at the end:%s\n", label, describe_fds().c_str());
    state.SkipWithError("descriptors leaked");
  }
}

void BM_Load_Sandbox(benchmark::State& state) {
  const auto specs = make_specs(env_int("CLNRM_LOAD_SANDBOX_TESTS", 1000),
                                "[[steps]]\nname = \"s\"\ncommand = [\"sh\", \"-c\", \"echo ok\"]\n"
                                "expected_output_regex = \"ok\"\n");
  const int fds_start = open_fds();
  run_load(state, "load/sandbox", clnrm::make_sandbox_backend(), specs, fds_start);
}
BENCHMARK(BM_Load_Sandbox)->Name("load/sandbox")->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

void BM_Load_Docker(benchmark::State& state) {
  const int fds_start = open_fds();
  clnrm::DockerOptions o = clnrm::docker_options_from_environment();
  o.pull_missing = false;
  std::shared_ptr<clnrm::Backend> backend;
  try {
    backend = clnrm::make_docker_backend(o);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());  // no engine: scripts/start-docker.sh && scripts/make-test-images.sh
    for (auto _ : state) {
    }
    return;
  }
  const auto specs = make_specs(env_int("CLNRM_LOAD_DOCKER_TESTS", 200),
                                "[services.svc]\nplugin = \"generic_container\"\nimage = \"clnrm-test/busybox\"\n"
                                "args = [\"sleep\", \"3600\"]\n"
                                "[[steps]]\nname = \"s\"\nservice = \"svc\"\ncommand = [\"echo\", \"ok\"]\n"
                                "expected_output_regex = \"ok\"\n");
  run_load(state, "load/docker", std::move(backend), specs, fds_start);
}
BENCHMARK(BM_Load_Docker)->Name("load/docker")->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
