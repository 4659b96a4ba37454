// Parser throughput: how fast a typical *.clnrm.toml becomes a TestSpec, and
// what the parts cost (TOML alone, regex compilation, templates, discovery).
#include <benchmark/benchmark.h>
#include <clnrm/parser.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

// A typical test: metadata, two services with waits, five steps with regexes,
// a scenario, settings. About 1.6 KB, like the files in examples/.
const std::string kTypical = R"(
[test.metadata]
name = "orders_api"
description = "API and cache in one cleanroom"
timeout = "60s"
tags = ["api", "cache"]

[services.db]
plugin = "generic_container"
image = "clnrm-test/redis"
args = ["redis-server", "--port", "6379"]
env = { MODE = "test" }
ports = [6379]
wait_for = { port = 6379, timeout = "10s" }

[services.api]
plugin = "process"
args = ["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1"]
depends_on = ["db"]
wait_for = { http = "http://127.0.0.1:8000/", timeout = "10s" }

[[steps]]
name = "ping"
service = "db"
command = ["redis-cli", "ping"]
expected_output_regex = "PONG"
timeout = "5s"

[[steps]]
name = "set"
service = "db"
command = ["redis-cli", "set", "k", "v"]
expected_output_regex = "^OK$"

[[steps]]
name = "get"
service = "db"
command = ["redis-cli", "get", "k"]
expected_output_regex = "^v$"
expected_output_regex_not = "(?i)error"

[[steps]]
name = "http"
command = "wget -q -O - http://127.0.0.1:8000/ | head -c 100"
expected_output_regex = "(?i)<!doctype html>"
env = { LANG = "C" }

[[steps]]
name = "exit_code"
command = ["sh", "-c", "exit 3"]
expected_exit_code = 3

[[scenario]]
name = "parallel"
concurrent = true
steps = [
  { name = "a", command = ["echo", "a"], expected_output_regex = "a" },
  { name = "b", command = ["echo", "b"], expected_output_regex = "b" },
]

[assertions]
execution_should_be_hermetic = true

[policy]
security_level = "medium"

[determinism]
seed = 42
freeze_clock = "2025-01-01T00:00:00Z"
)";

void BM_ParseTypicalFile(benchmark::State& state) {
  for (auto _ : state) {
    clnrm::ParseResult r = clnrm::parse_test_text(kTypical, "typical.clnrm.toml");
    if (!r.ok()) state.SkipWithError("typical file did not parse");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTypical.size()));
}
BENCHMARK(BM_ParseTypicalFile);

void BM_ParseWithTemplates(benchmark::State& state) {
  const std::string text = R"([vars]
svc = "orders"
image = "clnrm-test/redis"
[meta]
name = "{{ vars.svc }}_api"
version = "1"
[services.db]
image = "{{ image }}"
[[steps]]
name = "s"
command = ["echo", "{{ svc }}-{{ vars.image }}"]
expected_output_regex = "{{ svc }}"
)";
  for (auto _ : state) {
    clnrm::ParseResult r = clnrm::parse_test_text(text, "vars.clnrm.toml");
    if (!r.ok()) state.SkipWithError("template file did not parse");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseWithTemplates);

// An invalid file: the error path (suggestions, formatting) must stay cheap too.
void BM_ParseInvalidFile(benchmark::State& state) {
  const std::string text =
      "[test.metadata]\nname = \"x\"\n[[steps]]\nname = \"s\"\ncomand = [\"true\"]\n"
      "expected_exit_code = 300\n[servces.db]\nimage = \"i\"\n";
  for (auto _ : state) {
    clnrm::ParseResult r = clnrm::parse_test_text(text, "bad.clnrm.toml");
    for (const auto& d : r.diagnostics) benchmark::DoNotOptimize(d.format());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseInvalidFile);

// parse_test_file on real files: read + parse, as `clnrm validate` does.
void BM_ParseFilesFromDisk(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("clnrm-bench-spec-{}", ::getpid());
  fs::create_directories(dir);
  std::vector<std::string> files;
  for (int i = 0; i < 100; ++i) {
    files.push_back((dir / fmt::format("t{}.clnrm.toml", i)).string());
    std::ofstream(files.back()) << kTypical;
  }
  for (auto _ : state)
    for (const auto& f : files) benchmark::DoNotOptimize(clnrm::parse_test_file(f));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(files.size()));
  fs::remove_all(dir);
}
BENCHMARK(BM_ParseFilesFromDisk)->Unit(benchmark::kMillisecond);

// One generated file with N steps (CI generators write such files): parsing
// must stay linear in N. Complexity() fits the curve, so a quadratic step
// (once: duplicate-name checks scanning every earlier step, 28.8 s at 100k)
// shows as a changed big-O, not just a slower number.
void BM_ParseManySteps(benchmark::State& state) {
  std::string text = "[test.metadata]\nname = \"many\"\n";
  for (std::int64_t i = 0; i < state.range(0); ++i)
    text += fmt::format("[[steps]]\nname = \"s{}\"\ncommand = [\"/bin/true\"]\n", i);
  for (auto _ : state) {
    clnrm::ParseResult r = clnrm::parse_test_text(text, "many.clnrm.toml");
    if (!r.ok()) state.SkipWithError("generated file did not parse");
    benchmark::DoNotOptimize(r);
  }
  state.SetComplexityN(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseManySteps)->RangeMultiplier(4)->Range(1 << 10, 1 << 16)->Complexity()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
