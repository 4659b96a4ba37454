#pragma once
// run_suite: a whole run as one library call, what `clnrm run` does between
// reading its flags and printing: parse every file first -> select (-k,
// --tag) -> choose the backend -> plan (order, shard, rerun-failed from
// history) -> run (warm-ups, then the measured repeats) -> verdicts (step
// budgets over --repeat, determinism) -> history -> every output file. The
// CLI (src/cli/run_command.cpp, src/cli/bench_run_command.cpp) only fills
// SuiteOptions from flags and cleanroom.toml, and prints what the
// SuiteObserver hears and what SuiteOutcome holds. Implemented in src/suite/.

#include <clnrm/backend_choice.h>
#include <clnrm/cancel.h>
#include <clnrm/parser.h>
#include <clnrm/project_config.h>
#include <clnrm/result.h>
#include <clnrm/runner.h>
#include <clnrm/step_timings.h>
#include <clnrm/test_filter.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// Which tests run, in which order (the scheduler, schedule.h).
struct SuitePlanning {
  std::string order = "file";  // file | random[:SEED] | history (longest first)
  std::string shard;           // "K/N": only shard K of N; empty: all
  // A timing snapshot file (clnrm history timings) the shards are balanced
  // by; empty: by test count. Shards never read the live history.
  std::string timings;
  bool rerun_failed = false;   // only the tests that failed in the last complete run
  // How errors and notes name each setting (as RunRequest's *_as; the CLI
  // passes its flags: "--order").
  std::string order_as = "order";
  std::string shard_as = "shard";
  std::string timings_as = "timings";
  std::string rerun_failed_as = "rerun_failed";
};

// Files written after the run; an empty path writes nothing.
struct SuiteOutputs {
  std::string json_file;     // the JSON report (docs/report-json.md)
  std::string junit_file;    // JUnit XML
  std::string html_file;     // HTML, with trends from history when it is kept
  std::string metrics_file;  // Prometheus text format
  std::string trace_file;    // OTLP/JSON traces
  std::string otel_endpoint;  // POST OTLP/JSON traces here (a failure is a warning)
  std::string otel_endpoint_as = "OTLP export";  // names it in that warning (the CLI: "--otel-endpoint")
  // Where the [report] json/junit/digest paths named inside test files are
  // written (never outside it, never through a symbolic link).
  std::string report_dir = ".";
  std::string keep_logs_dir;  // every service's whole output (clnrm run --keep-logs)
  // false: the [report] paths inside test files are not written (clnrm bench
  // run, whose one output is its benchmark JSON).
  bool test_file_reports = true;
  // SuiteOutcome::json holds the JSON report (clnrm run --format json).
  bool json_text = false;
};

// The outputs, to name one that could not be written.
enum class SuiteOutput { Json, Junit, Html, Metrics, Trace, PerTestReports, KeptLogs };

struct OutputProblem {
  SuiteOutput output;
  std::string why;  // names the path
};

struct SuiteOptions {
  // Test files, run in this order, or directories, searched for
  // *.clnrm.toml (select_test_files). No test file: nothing to run
  // (InvalidInput, SuiteOutcome::no_test_files).
  std::vector<std::string> paths;
  // Also take the files under directories named `failing` (select_test_files).
  bool include_failing = false;
  ParseOptions parse;
  // Run the valid files when some are invalid; each invalid file is then an
  // Error result and the verdict InvalidInput. Off: nothing runs.
  bool keep_going = false;
  // cleanroom.toml's settings; its security_level makes a test below it invalid.
  std::optional<ProjectConfig> project;
  // A name of backend_names() ("sandbox", "docker", "auto", ...).
  std::string backend = std::string(default_backend_name());
  BackendChoiceOptions backend_options;
  // Every service is `reuse = true` (clnrm run --reuse; acts on docker only).
  bool reuse_services = false;
  // jobs, fail_fast, default_test_timeout, retries, repeat, seed,
  // step_budgets. run_suite sets ordering, cancel and service_log_sink
  // itself; on_test_started and on_test_finished, when set, are called after
  // the observer's. `repeat` counts the measured runs of every test, after
  // its warm-ups.
  RunOptions run;
  // Runs of every test before its `run.repeat` measured ones (clnrm bench
  // run --warmup): they fill caches, and nothing judges them. Their results
  // are in SuiteOutcome::warmups only: not in `run`, the verdict, the step
  // timings or budgets, determinism, history or any report (the session's
  // counters, in metrics_file and the JSON report's "metrics", count every
  // run made). The observer hears them (test_finished, TestResult::repeat <
  // warmup_repeats): every run of a test counts in TestResult::repeat and
  // CLNRM_REPEAT, warm-ups first, so the first measured result has repeat ==
  // warmup_repeats.
  int warmup_repeats = 0;
  SuitePlanning planning;
  // Which parsed tests take part: those `filter` (clnrm run -k / --tag /
  // --skip-tag; make_test_filter) and `select` (null: all) both accept.
  // Applied after parsing and before the plan, so the shard and
  // rerun-failed pick from the selected tests only.
  TestFilter filter;
  std::function<bool(const TestSpec&)> select;
  // Stop once the plan is made (clnrm run --list / --dry-run): no backend is
  // made, nothing starts, no history row, no output file; the plan is in
  // SuiteOutcome::plan.
  bool plan_only = false;
  // Compare every measured repeat's step outputs with the first (needs run.repeat >= 2).
  bool check_determinism = false;
  // The history database (SQLite): read for planning, written with every
  // result. Empty: no history.
  std::string history_db;
  // How history shows the run (`clnrm history`); empty: "run_suite PATH...".
  std::string history_command;
  SuiteOutputs outputs;
  // Cancels the run (tests not started are skipped, running ones torn down).
  // Null: run_suite's own token, cancelled only by signals (below).
  CancelToken* cancel = nullptr;
  // SIGINT/SIGTERM cancel the run while it runs (signals.h); `announce`
  // says so on stderr. A program with its own handlers leaves this off.
  bool handle_signals = false;
  bool announce_signals = true;
};

enum class SuiteVerdict {
  Passed,        // exit 0: every test passed (or none was selected)
  Failed,        // exit 1: a test failed, or an output could not be written
  InvalidInput,  // exit 2: an invalid test file, no test file, an unwritable output
  Interrupted,   // exit 130: cancelled
};
int exit_code(SuiteVerdict verdict) noexcept;

// What a run would do (SuiteOptions::plan_only).
struct SuitePlan {
  std::vector<TestSpec> tests;  // in plan order (after selection, order, shard, rerun-failed)
  int jobs = 1;                 // worker lanes; each takes the next test when free
  BackendDecision backend;      // reason empty: the name was taken as given
};

struct SuiteOutcome {
  SuiteVerdict verdict = SuiteVerdict::Passed;
  int exit_code() const noexcept { return clnrm::exit_code(verdict); }
  // Every measured result in plan order, then each invalid file
  // (keep_going) as an Error result. Empty when nothing ran.
  RunResult run;
  // The warm-up results (SuiteOptions::warmup_repeats), in plan order: unjudged.
  std::vector<TestResult> warmups;
  bool ran = false;              // false: stopped before running anything
  bool no_test_files = false;    // the paths hold no test file: InvalidInput
  bool nothing_selected = false;  // select, shard or rerun_failed left no test: Passed
  std::optional<SuitePlan> plan;  // plan_only: what would run
  std::size_t invalid_files = 0;
  // An invalid file has an unknown key (DiagnosticKind::UnknownKey), which
  // ParseOptions::upstream makes a warning.
  bool unknown_keys = false;
  // Outputs that cannot be written, found before the run: nothing ran.
  std::vector<OutputProblem> unwritable;
  // Outputs that could not be written after the run: the verdict is Failed.
  std::vector<OutputProblem> not_written;
  bool determinism_failed = false;
  // When every test ran more than once (warm-ups included): over the
  // measured repeats, with budgets applied unless run.step_budgets is off.
  std::vector<StepTiming> step_timings;
  std::vector<std::string> warnings;     // also told to SuiteObserver::warning
  std::vector<std::string> files_written;
  std::string json;  // the JSON report when SuiteOutputs::json_text
};

// What happens while run_suite works, for progress and console text. Every
// method has an empty default; calls come from the calling thread except
// test_started / test_finished, which come from the runner's workers (never
// two at once).
class SuiteObserver {
 public:
  virtual ~SuiteObserver() = default;
  // What the directories held besides the test files taken (select_test_files).
  virtual void files_skipped(const std::vector<SkippedFile>&) {}
  // Every diagnostic of every file as it is parsed (errors and warnings).
  virtual void diagnostic(const Diagnostic&) {}
  // Tests that share a name; `uses` indexes `tests`. Before the run.
  virtual void duplicate_names(const std::vector<DuplicateName>&, const std::vector<TestNameUse>&) {}
  // The backend that runs the tests; `reason` is empty when the name was
  // taken as given (choose_backend).
  virtual void backend_chosen(std::string_view, const std::string& /*reason*/) {}
  // One line the user should read (also in SuiteOutcome::warnings).
  virtual void warning(const std::string&) {}
  // A planning note: the random seed used, a history DB that could not be read.
  virtual void planning_note(const std::string&) {}
  // keep_going: an invalid file as its Error result, before the run.
  virtual void invalid_file(const TestResult&) {}
  // `results` results are expected (tests x (warm-ups + repeats)).
  virtual void run_starting(std::size_t /*results*/) {}
  virtual void test_started(const TestSpec&, int /*worker*/) {}
  virtual void test_finished(const TestResult&) {}
  virtual void run_finished() {}
  // Every test ran more than once: per-step timings (SuiteOutcome::step_timings).
  virtual void step_timings(const std::vector<StepTiming>&) {}
  // check_determinism: repeats of a test differ; `counted` now counts as failed.
  virtual void determinism_failed(const TestResult& /*counted*/,
                                  const std::vector<std::string>& /*differences*/, int /*repeats*/) {}
  virtual void determinism_passed(int /*repeats*/) {}
};

// Runs the suite. Throws Error(Usage) for options that contradict each other
// (a bad order or shard, a bad filter expression, check_determinism without
// repeats, negative warm-ups, a keep-logs directory that cannot be made) and for a path that
// does not exist;
// everything found in the files is in the outcome.
SuiteOutcome run_suite(const SuiteOptions& options, SuiteObserver* observer = nullptr);

}  // namespace clnrm
