// `clnrm bench run FILE...`: a test file's steps as benchmarks. Every test
// runs warm-up + N times (each in a fresh cleanroom, as `clnrm run --repeat`),
// and every step becomes one benchmark with N repetitions, written as Google
// Benchmark JSON so `clnrm bench compare` gates users' own scenarios. The run
// is run_suite's (include/clnrm/suite.h) under the settings `clnrm run`
// resolves (--backend over CLNRM_PULL / CLNRM_DOCKER_POOL over cleanroom.toml,
// clnrm/run_settings.h), its verdict the exit code; this file holds the flags
// and the JSON it prints.
#include <clnrm/error.h>
#include <clnrm/run_settings.h>
#include <clnrm/suite.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/utc_time.h"
#include "base/atomic_file.h"
#include "base/host_name.h"
#include "cli/bench_internal.h"
#include "cli/commands.h"
#include "cli/project_settings.h"

namespace clnrm::cli {
namespace {

struct BenchRunArgs {
  std::vector<std::string> paths;
  int repetitions = 10;
  int warmup = 1;
  std::string out;
  std::string backend;
  bool include_failing = false;
  ConfigFlags config;
};

// The bench prints the files' diagnostics and its failures, nothing else of
// the run (its output is the JSON).
class BenchObserver : public SuiteObserver {
 public:
  void diagnostic(const Diagnostic& d) override {
    std::fprintf(stderr, "%s\n", d.format().c_str());
    if (d.severity == Diagnostic::Severity::Error && first_invalid_file.empty())
      first_invalid_file = d.file;
  }
  std::string first_invalid_file;
};

std::string now_rfc3339() { return format_utc(std::chrono::system_clock::now(), UtcStyle::Rfc3339Offset); }

// "bench/<test>/<scenario>/<step>/real_time": the `/real_time` suffix makes
// `bench compare --metric auto` compare wall time, which is what a step costs
// (its CPU time is in the child, not in clnrm).
std::string benchmark_name(const TestResult& t, const StepResult& s) {
  std::string name = "clnrm_step/" + t.name + "/";
  if (!s.scenario.empty()) name += s.scenario + "/";
  return name + s.name + "/real_time";
}

int run_bench(const BenchRunArgs& a) {
  if (a.repetitions < 1)
    throw Error(ErrorKind::Usage, "--repetitions must be 1 or more", "--repetitions");
  if (a.warmup < 0) throw Error(ErrorKind::Usage, "--warmup must be 0 or more", "--warmup");
  // As `clnrm run`: the flags over the environment over cleanroom.toml
  // (project_settings.h); the project's security_level applies too.
  const ProjectSettings project = load_project_settings(a.config);
  RunFlags flags;
  flags.backend = a.backend;
  SuiteOptions suite;
  apply_run_settings(run_settings_from_flags(flags, project.config), suite);
  suite.project = project.config;
  suite.paths = a.paths;
  suite.include_failing = a.include_failing;
  suite.run.jobs = 1;  // benchmarks never share the machine with each other, whatever [defaults] jobs says
  suite.warmup_repeats = a.warmup;  // warm-up runs fill caches, they are not measured
  suite.run.repeat = a.repetitions;
  // Budgets are `clnrm run --repeat`'s job; here every run is measured as it is.
  suite.run.step_budgets = false;
  suite.outputs.test_file_reports = false;  // the benchmark JSON is the one output
  BenchObserver observer;
  const SuiteOutcome outcome = run_suite(suite, &observer);
  if (outcome.no_test_files) throw Error(ErrorKind::Usage, "no *.clnrm.toml files found", "FILE");
  if (outcome.invalid_files > 0)
    throw Error(ErrorKind::Config, "invalid test file; nothing was run",
                observer.first_invalid_file.empty() ? "FILE" : observer.first_invalid_file);
  const RunResult& run = outcome.run;

  nlohmann::json doc;
  doc["context"] = {{"date", now_rfc3339()},
                    {"host_name", host_name()},
                    {"executable", "clnrm bench run"},
                    {"num_cpus", static_cast<int>(std::thread::hardware_concurrency())},
                    {"library_build_type", "release"},
                    {"clnrm_backend", run.backend},
                    {"clnrm_warmup", a.warmup},
                    {"clnrm_git_commit", bench_git_commit()}};
  nlohmann::json rows = nlohmann::json::array();
  std::map<std::string, int> index_of;  // repetition index per benchmark
  for (const TestResult& t : run.tests) {
    if (is_failure(t.status)) {
      std::fprintf(stderr, "clnrm: %s (run %d) failed: %s\n", t.name.c_str(), t.repeat + 1,
                   t.message.c_str());
    }
    for (const StepResult& s : t.steps) {
      const std::string name = benchmark_name(t, s);
      const int i = index_of[name]++;
      nlohmann::json row{{"name", name},
                         {"family_index", 0},
                         {"per_family_instance_index", 0},
                         {"run_name", name},
                         {"run_type", "iteration"},
                         {"repetitions", a.repetitions},
                         {"repetition_index", i},
                         {"threads", 1},
                         {"iterations", 1}};
      if (s.status != Status::Passed) {
        // Google Benchmark's way to say "this one did not run": compare reports it as failed.
        row["error_occurred"] = true;
        row["error_message"] = fmt::format("step {}: {}", to_string(s.status), s.message);
      } else {
        const double real_us = static_cast<double>(s.duration.count()) / 1e3;
        const double cpu_us =
            static_cast<double>((s.exec.usage.user_cpu + s.exec.usage.system_cpu).count());
        row["real_time"] = real_us;
        row["cpu_time"] = cpu_us;
        row["time_unit"] = "us";
        row["items_per_second"] = real_us > 0 ? 1e6 / real_us : 0.0;
      }
      rows.push_back(std::move(row));
    }
  }
  doc["benchmarks"] = std::move(rows);
  const std::string text = doc.dump(2) + "\n";
  if (a.out.empty() || a.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    write_file_atomically(a.out, text);  // a reader never sees half a result file
    std::fprintf(stderr, "clnrm: %zu step benchmark(s) x %d repetitions written to %s\n",
                 index_of.size(), a.repetitions, a.out.c_str());
  }
  if (outcome.verdict == SuiteVerdict::Interrupted) std::fprintf(stderr, "clnrm: interrupted\n");
  return outcome.exit_code();
}

}  // namespace

void add_bench_run_command(CLI::App& bench, CliContext& ctx) {
  auto args = std::make_shared<BenchRunArgs>();
  auto* cmd = bench.add_subcommand(
      "run",
      "Run test files' steps as benchmarks; write Google Benchmark JSON (for bench compare)");
  cmd->add_option("FILE", args->paths, "Test files or directories")->required();
  cmd->add_option("-n,--repetitions", args->repetitions, "Measured runs of every test")
      ->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Unmeasured runs before them")->capture_default_str();
  cmd->add_option("-o,--out", args->out, "Write the JSON here instead of stdout");
  cmd->add_option("--backend", args->backend, "Isolation backend (default: as clnrm run)");
  cmd->add_flag("--include-failing", args->include_failing,
                "Also take files under directories named `failing`");
  add_config_flags(*cmd, args->config);
  cmd->footer(
      "Each test runs warm-up + N times in a fresh cleanroom each time, one at a time. "
      "Every step is one benchmark (clnrm_step/TEST/[SCENARIO/]STEP/real_time) with N "
      "repetitions: real_time = the step's wall time, cpu_time = its user+system CPU, in us. "
      "cleanroom.toml's [defaults] (timeout, backend, pull, pool) and [images] apply as for "
      "clnrm run; tests run one at a time whatever its jobs says. "
      "Exit 1 when a measured run failed (its rows carry error_occurred).");
  cmd->callback([&ctx, args] { ctx.exit_code = run_bench(*args); });
}

}  // namespace clnrm::cli
