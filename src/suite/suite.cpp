// run_suite (clnrm/suite.h): the steps of a run in order. Each step's work
// lives in its own file of src/suite/; this one says what follows what, and
// stops early with the outcome when the input is invalid.
#include <clnrm/suite.h>

#include <clnrm/determinism.h>
#include <clnrm/determinism_verdict.h>
#include <clnrm/session.h>
#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/metrics_formats.h>
#include <clnrm/service.h>
#include <clnrm/signals.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "suite/backend_setup.h"
#include "suite/keep_logs.h"
#include "suite/outputs.h"
#include "suite/parse_inputs.h"
#include "suite/plan_preview.h"
#include "suite/planning.h"
#include "suite/selection.h"
#include "suite/verdict.h"

namespace clnrm {
namespace {

// The observer run_suite tells when the caller gave none.
SuiteObserver& silent_observer() {
  static SuiteObserver silent;
  return silent;
}

}  // namespace

SuiteOutcome run_suite(const SuiteOptions& options, SuiteObserver* observer_or_null) {
  SuiteObserver& observer = observer_or_null ? *observer_or_null : silent_observer();
  SuiteOutcome outcome;
  auto warn = [&](const std::string& text) {
    outcome.warnings.push_back(text);
    observer.warning(text);
  };
  const int repeat = std::max(1, options.run.repeat);  // measured runs of every test
  if (options.check_determinism && repeat < 2)
    throw Error(ErrorKind::Usage, "checking determinism compares repeats: it needs repeat >= 2");
  if (options.warmup_repeats < 0)
    throw Error(ErrorKind::Usage, "warm-up repeats must be 0 or more");
  const int warmups = options.warmup_repeats;
  const int runs_per_test = warmups + repeat;  // what the runner runs

  std::function<bool(const TestSpec&)> select = suite::combined_selection(options);

  // 1. Every file is parsed before anything runs.
  std::vector<SkippedFile> skipped;
  const std::vector<std::string> files =
      select_test_files(options.paths, options.include_failing, &skipped);
  if (!skipped.empty()) observer.files_skipped(skipped);
  if (files.empty()) {
    outcome.no_test_files = true;
    outcome.verdict = SuiteVerdict::InvalidInput;
    return outcome;
  }
  suite::ParsedInputs parsed =
      suite::parse_inputs(files, options.parse, options.project, observer);
  outcome.invalid_files = parsed.invalid.size();
  outcome.unknown_keys = parsed.unknown_keys;
  if (!parsed.invalid.empty() && !options.keep_going) {
    outcome.verdict = SuiteVerdict::InvalidInput;
    return outcome;
  }
  const std::vector<DuplicateName> duplicates = find_duplicate_names(parsed.names);
  if (!duplicates.empty()) observer.duplicate_names(duplicates, parsed.names);
  std::vector<TestSpec>& tests = parsed.tests;
  if (select) suite::apply_selection(select, tests, observer);
  if (options.plan_only) {
    outcome.plan = suite::preview_plan(options, tests, observer);
    outcome.nothing_selected = outcome.plan->tests.empty() && parsed.invalid.empty();
    if (!parsed.invalid.empty()) outcome.verdict = SuiteVerdict::InvalidInput;
    return outcome;
  }

  // 2. Outputs that cannot be written stop the run before it starts.
  outcome.unwritable = suite::unwritable_outputs(options.outputs);
  if (!outcome.unwritable.empty()) {
    outcome.verdict = SuiteVerdict::InvalidInput;
    return outcome;
  }
  RunOptions run_options = options.run;
  run_options.repeat = runs_per_test;
  std::optional<suite::KeptLogs> kept_logs;
  if (!options.outputs.keep_logs_dir.empty()) {
    kept_logs.emplace(options.outputs.keep_logs_dir);
    run_options.service_log_sink = kept_logs->sink();
  }

  // 3. The backend. reuse_services marks every service `reuse = true` (the
  // runner then leaves the per-test variables out of its environment, so
  // tests can share it).
  BackendChoiceOptions backend_options = options.backend_options;
  backend_options.reuse = backend_options.reuse || options.reuse_services;
  backend_options.pods_planned = tests.size() * static_cast<std::size_t>(runs_per_test);
  if (options.reuse_services)
    for (TestSpec& t : tests)
      for (ServiceSpec& s : t.services) s.reuse = true;
  BackendChoice chosen = choose_backend(options.backend, tests, backend_options);
  observer.backend_chosen(chosen.backend->name(), chosen.reason);
  Session env(std::move(chosen.backend));
  register_builtin_plugins(env.services());
  for (const std::string& w : suite::reuse_ignored_warnings(env.backend(), tests, options.reuse_services))
    warn(w);
  for (const TestResult& t : parsed.invalid) observer.invalid_file(t);

  // 4. The plan: order, shard, rerun-failed (from history when kept).
  std::string planning_note;
  run_options.ordering = suite::make_ordering(options.planning, options.history_db, planning_note);
  const Plan plan = make_plan(tests, run_options);
  if (!planning_note.empty()) observer.planning_note(planning_note);
  if (plan.order.empty() && parsed.invalid.empty()) {
    outcome.nothing_selected = true;
    return outcome;
  }

  // 5. The run, recorded in history as results come (after the last run
  // when a test runs more than once: budgets then change verdicts after the
  // run, and warm-ups are left out). SIGINT/SIGTERM cancel the run from
  // before the first pod is asked for: until then they end the process at
  // once (exit_130_on_early_signals), which would leave the groups a
  // standby pod is made with. The first test's pod is made while the
  // history opens.
  CancelToken own_cancel;
  CancelToken& cancel = options.cancel ? *options.cancel : own_cancel;
  std::optional<SignalCancellation> signals;
  if (options.handle_signals) signals.emplace(cancel, options.announce_signals);
  expect_first_pod(env, tests, plan);
  std::optional<history::Recorder> recorder;
  if (!options.history_db.empty())
    recorder.emplace(options.history_db,
                     history::collect_run_meta(
                         std::string(env.backend().name()),
                         options.history_command.empty()
                             ? fmt::format("run_suite {}", fmt::join(options.paths, " "))
                             : options.history_command));
  run_options.cancel = &cancel;
  // The runner judges budgets per run only when each test runs once
  // (parallel_runner.cpp); otherwise they are judged here, on the median.
  const bool repeated = runs_per_test > 1;
  run_options.on_test_started = [&](const TestSpec& spec, int worker) {
    observer.test_started(spec, worker);
    if (options.run.on_test_started) options.run.on_test_started(spec, worker);
  };
  run_options.on_test_finished = [&](const TestResult& t) {
    observer.test_finished(t);
    if (recorder && !repeated) recorder->record(t);
    if (options.run.on_test_finished) options.run.on_test_finished(t);
  };
  observer.run_starting(plan.order.size() * static_cast<std::size_t>(runs_per_test));
  RunResult run = run_plan(env, tests, plan, run_options);
  observer.run_finished();
  outcome.ran = true;
  // Warm-ups leave the run here: everything below sees the measured
  // results only, `repeat` of them per test, adjacent as the runner left them.
  if (warmups > 0) {
    std::vector<TestResult> measured;
    measured.reserve(plan.order.size() * static_cast<std::size_t>(repeat));
    for (TestResult& t : run.tests)
      (t.repeat < warmups ? outcome.warmups : measured).push_back(std::move(t));
    run.tests = std::move(measured);
  }

  // 6. Verdicts after the run: step budgets over repeats, determinism.
  suite::JsonExtras extras;
  DeterminismCollector digests;
  // Digests hash every step's output: only when something reads them.
  const bool want_digests =
      options.check_determinism ||
      (options.outputs.test_file_reports &&
       std::any_of(tests.begin(), tests.end(),
                   [](const TestSpec& t) { return t.report.digest.has_value(); }));
  if (want_digests)
    for (const TestResult& t : run.tests)
      if (t.status != Status::Skipped) digests.add(t, t.repeat);
  if (repeated) {
    extras.timings = step_timings(run, tests);
    if (options.run.step_budgets) apply_step_budgets(run, extras.timings);
    observer.step_timings(extras.timings);
  }
  if (options.check_determinism) {
    const std::vector<DeterminismReport> reports = digests.reports();
    // A test whose repeats differ counts as one failed result, so every
    // report (summary, JSON, JUnit, history) tells the same story as the
    // verdict.
    for (const DeterminismVerdict& v : apply_determinism_verdicts(run, reports)) {
      outcome.determinism_failed = true;
      observer.determinism_failed(run.tests[v.counted], v.differences, v.repeats);
    }
    if (!outcome.determinism_failed) observer.determinism_passed(repeat);
    extras.digests = digests_to_json(digests.digests(), reports);
  }

  // 7. History: only tests that ran (an invalid file has no test name).
  if (recorder && repeated)
    for (const TestResult& t : run.tests) recorder->record(t);
  if (recorder) recorder->finish(run);
  if (recorder && !recorder->warning().empty()) warn(recorder->warning());

  // 8. Outputs. Invalid files (keep_going) go last, after the results that
  // map onto the plan.
  if (options.outputs.json_text || !options.outputs.json_file.empty())
    extras.metrics = metrics_to_json(env.metrics().snapshot(), run);
  const std::size_t planned_results = run.tests.size();
  for (TestResult& t : parsed.invalid) run.tests.push_back(std::move(t));
  std::vector<OutputProblem> kept_logs_failures;
  if (kept_logs)
    for (std::string& f : kept_logs->failures())
      kept_logs_failures.push_back({SuiteOutput::KeptLogs, std::move(f)});
  const suite::RunForOutputs for_outputs{run,      planned_results,
                                         tests,    plan,
                                         repeat,   env,
                                         recorder ? &*recorder : nullptr,
                                         extras,   digests};
  suite::WrittenOutputs written =
      suite::write_outputs(options.outputs, for_outputs, kept_logs_failures, warn);
  outcome.not_written = std::move(written.not_written);
  outcome.files_written = std::move(written.files);
  if (options.outputs.json_text)
    outcome.json = suite::json_report(run, extras, !outcome.not_written.empty());
  outcome.step_timings = std::move(extras.timings);

  outcome.verdict = suite::decide_verdict(
      run, {cancel.cancelled(), outcome.invalid_files > 0, outcome.determinism_failed,
            !outcome.not_written.empty()});
  outcome.run = std::move(run);
  return outcome;
}

}  // namespace clnrm
