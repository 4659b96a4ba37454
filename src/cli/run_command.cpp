// `clnrm run [PATH...]`: discover -> parse (all, before running anything) ->
// run on the chosen backend -> report. Exit 0 all passed, 1 failures,
// 2 usage/config error, 130 interrupted.
#include <clnrm/backend_choice.h>
#include <clnrm/control_characters.h>
#include <clnrm/determinism.h>
#include <clnrm/determinism_verdict.h>
#include <clnrm/environment.h>
#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/html_report.h>
#include <clnrm/metrics_export.h>
#include <clnrm/otlp.h>
#include <clnrm/parser.h>
#include <clnrm/report.h>
#include <clnrm/runner.h>
#include <clnrm/signals.h>
#include <clnrm/step_timings.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "commands.h"
#include "base/atomic_file.h"
#include "keep_logs.h"
#include "project_settings.h"
#include "run_planning.h"
#include "test_selection.h"

namespace clnrm::cli {
namespace {

struct RunArgs {
  std::vector<std::string> paths;
  std::optional<int> jobs;  // not given: cleanroom.toml, else one per core
  bool fail_fast = false;
  std::string format = "human";
  std::string junit_file;
  std::string json_file;
  std::string output_dir = ".";  // where [report] paths of test files are written
  std::string backend;  // not given: cleanroom.toml, else sandbox
  std::string timeout;  // not given: cleanroom.toml, else 5m (project_settings.cpp)
  std::string docker_host;
  ConfigFlags config;
  bool quiet = false;
  bool verbose = false;
  bool include_failing = false;
  bool keep_going = false;  // run the valid files when some are invalid
  bool upstream = false;    // keys clnrm does not act on: warnings, not errors
  std::vector<std::string> image_map;
  bool reuse = false;
  PlanningFlags planning;
  std::string html_file;
  std::string metrics_file;
  std::string trace_file;
  std::string otel_endpoint;
  int retries = 0;
  int repeat = 1;
  bool check_determinism = false;
  std::optional<std::uint64_t> seed;
  std::string keep_logs_dir;
};

// What the CLI's JSON report (--json, --format json) adds to
// run_result_to_json: the session's metrics, and --repeat / --check-determinism results.
struct RepeatExtras {
  std::vector<StepTiming> timings;
  std::optional<nlohmann::json> digests;  // digests_to_json(...)
  std::optional<nlohmann::json> metrics;  // metrics_to_json(...)
};

std::string json_report(const RunResult& run, const RepeatExtras& extras) {
  std::string text = run_result_to_json(run);
  if (extras.timings.empty() && !extras.digests && !extras.metrics) return text;
  nlohmann::json j = nlohmann::json::parse(text);
  if (extras.metrics) j["metrics"] = *extras.metrics;
  if (!extras.timings.empty()) j["step_timings"] = step_timings_to_json(extras.timings);
  if (extras.digests) j["digests"] = *extras.digests;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The --repeat table: one row per step, min / median / p95 / budget.
void print_step_timings(std::FILE* out, const std::vector<StepTiming>& timings) {
  std::fprintf(out, "\nstep timings over repeats:\n");
  std::fprintf(out, "  %-40s %5s %10s %10s %10s %10s\n", "test/step", "runs", "min", "median",
               "p95", "budget");
  for (const StepTiming& t : timings) {
    const std::string where = escape_control_characters(
        t.test + "/" + (t.scenario.empty() ? t.step : t.scenario + "/" + t.step));
    std::fprintf(out, "  %-40s %5d %10s %10s %10s %10s%s\n", where.c_str(), t.runs,
                 format_duration(t.min).c_str(), format_duration(t.median).c_str(),
                 format_duration(t.p95).c_str(),
                 t.budget ? format_duration(*t.budget).c_str() : "-",
                 t.over_budget ? "  OVER BUDGET" : "");
  }
}

// `reuse = true` and --reuse act on docker only (docs/test-file-reference.md):
// on another backend every test starts its own instance, and the user hears so.
void warn_if_reuse_is_ignored(const Backend& backend, const std::vector<TestSpec>& tests, bool flag) {
  if (backend.capabilities().keeps_services) return;
  const std::string why = fmt::format(
      "has no effect on the {} backend: each test starts its own service instance (use --backend docker to keep "
      "and share services)",
      backend.name());
  if (flag) {
    std::fprintf(stderr, "clnrm: warning: --reuse %s\n", why.c_str());
    return;
  }
  for (const TestSpec& t : tests)
    for (const ServiceSpec& s : t.services)
      if (s.reuse)
        std::fprintf(stderr, "clnrm: warning: %s: service '%s': reuse = true %s\n",
                     escape_control_characters(t.file).c_str(), escape_control_characters(s.name).c_str(),
                     why.c_str());
}

struct ParsedFiles {
  std::vector<TestSpec> tests;
  std::vector<SourcePos> name_positions;  // of each test's name, for duplicate names
  std::vector<TestResult> invalid;        // one Status::Error result per invalid file
  bool unknown_keys = false;              // an error that --upstream makes a warning
};

// An invalid file as a result, for --keep-going: every report (console, JSON,
// JUnit <error>) lists it beside the tests that ran.
TestResult invalid_file_result(const std::string& file, const std::vector<Diagnostic>& diags) {
  TestResult t;
  t.file = file;
  t.name = file;  // the name is inside the file that could not be read
  t.status = Status::Error;
  t.started = std::chrono::system_clock::now();
  std::size_t errors = 0;
  std::string lines;
  for (const Diagnostic& d : diags) {
    if (d.severity != Diagnostic::Severity::Error) continue;
    ++errors;
    lines += "\n" + d.format();
  }
  t.message = fmt::format("invalid test file, not run ({} error{}):{}", errors,
                          errors == 1 ? "" : "s", lines);
  return t;
}

// Parses every file first: without --keep-going one bad file stops the run
// before anything runs. cleanroom.toml's security_level applies here, so a
// test below the project's level is an invalid file like any other.
ParsedFiles parse_all(const std::vector<std::string>& files, const ParseOptions& options,
                      const std::optional<ProjectConfig>& project) {
  ParsedFiles out;
  out.tests.reserve(files.size());
  for (const std::string& file : files) {
    ParseResult parsed = parse_test_file(file, options);
    for (const Diagnostic& d : parsed.diagnostics) std::fprintf(stderr, "%s\n", d.format().c_str());
    if (!parsed.ok()) {
      for (const Diagnostic& d : parsed.diagnostics)
        if (d.severity == Diagnostic::Severity::Error && d.message.starts_with("unknown key '"))
          out.unknown_keys = true;
      out.invalid.push_back(invalid_file_result(file, parsed.diagnostics));
      continue;
    }
    if (project)
      if (std::optional<Diagnostic> d = apply_project_security_level(*project, *parsed.spec)) {
        std::fprintf(stderr, "%s\n", d->format().c_str());
        out.invalid.push_back(invalid_file_result(file, {*d}));
        continue;
      }
    out.tests.push_back(std::move(*parsed.spec));
    out.name_positions.push_back(parsed.name_pos);
  }
  return out;
}

// Two tests of one name are told apart by their files: say which, with the
// position of each name. Returns the names used more than once.
std::set<std::string> warn_duplicate_names(const ParsedFiles& parsed) {
  std::set<std::string> duplicates;
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < parsed.tests.size(); ++i) by_name[parsed.tests[i].name].push_back(i);
  for (const auto& [name, indices] : by_name) {
    if (indices.size() < 2) continue;
    duplicates.insert(name);
    std::vector<std::string> where;
    for (std::size_t i : indices)
      where.push_back(fmt::format("{}:{}:{}", parsed.tests[i].file, parsed.name_positions[i].line,
                                  parsed.name_positions[i].column));
    std::fprintf(stderr,
                 "clnrm: warning: %zu tests are named '%s': %s (reports tell them apart by file)\n",
                 indices.size(), escape_control_characters(name).c_str(),
                 escape_control_characters(fmt::format("{}", fmt::join(where, ", "))).c_str());
  }
  return duplicates;
}

// [report] json/junit/digest inside test files: each path gets the results of
// the tests that name it. The paths come from untrusted files: they are
// written below the output directory only, never through a symbolic link.
void write_per_file_reports(const std::string& output_dir, const RunResult& run,
                            std::size_t planned_results, const std::vector<TestSpec>& tests,
                            const Plan& plan, int repeat, const DeterminismCollector& digests) {
  std::map<std::string, std::vector<std::size_t>> json_paths, junit_paths, digest_paths;
  for (std::size_t i = 0; i < planned_results; ++i) {
    const ReportSpec& r = tests[plan.order[i / static_cast<std::size_t>(repeat)]].report;
    if (r.json) json_paths[*r.json].push_back(i);
    if (r.junit) junit_paths[*r.junit].push_back(i);
    if (r.digest) digest_paths[*r.digest].push_back(i);
  }
  if (json_paths.empty() && junit_paths.empty() && digest_paths.empty()) return;
  std::error_code ec;  // a failure shows when the directory is opened
  std::filesystem::create_directories(output_dir, ec);
  // [report] digest: the digests (and the repeat comparison) of the tests naming the file.
  for (const auto& [path, indices] : digest_paths) {
    auto named = [&](const std::string& file, const std::string& test) {
      for (std::size_t i : indices)
        if (run.tests[i].file == file && run.tests[i].name == test) return true;
      return false;
    };
    std::vector<TestDigest> d;
    for (TestDigest& x : digests.digests())
      if (named(x.file, x.test)) d.push_back(std::move(x));
    std::vector<DeterminismReport> reports;
    for (DeterminismReport& x : digests.reports())
      if (named(x.file, x.test)) reports.push_back(std::move(x));
    write_file_atomically_beneath(output_dir, path, digest_file_text(d, reports));
  }
  auto subset = [&](const std::vector<std::size_t>& indices) {
    RunResult part = filter_tests(run, [](const TestResult&) { return false; });
    for (std::size_t i : indices) part.tests.push_back(run.tests[i]);
    return part;
  };
  for (const auto& [path, indices] : json_paths)
    write_file_atomically_beneath(output_dir, path, run_result_to_json(subset(indices)));
  for (const auto& [path, indices] : junit_paths)
    write_file_atomically_beneath(output_dir, path, run_result_to_junit(subset(indices)));
}

// The report files named on the command line, for the check before the run.
std::vector<std::pair<const char*, std::string>> output_files(const RunArgs& a) {
  const std::vector<std::pair<const char*, std::string>> all = {
      {"--json", a.json_file},
      {"--junit", a.junit_file},
      {"--html", a.html_file},
      {"--metrics-file", a.metrics_file},
      {"--trace-file", a.trace_file}};
  std::vector<std::pair<const char*, std::string>> files;
  for (const auto& named : all)
    if (!named.second.empty()) files.push_back(named);
  return files;
}

// Everything after the run that writes somewhere else: report files, HTML
// (with history trends), metrics, traces. Returns what could not be written
// (each naming its path); one failure does not stop the others. History and
// the OTLP endpoint are side channels: their failures are warnings.
std::vector<std::string> write_outputs(const RunArgs& a, const RunResult& run,
                                       std::size_t planned_results,
                                       const std::vector<TestSpec>& tests, const Plan& plan,
                                       const Environment& env, history::Recorder* recorder,
                                       const RepeatExtras& extras,
                                       const DeterminismCollector& digests) {
  std::vector<std::string> failures;
  auto attempt = [&](const char* what, const std::function<void()>& write) {
    try {
      write();
    } catch (const Error& e) {
      failures.push_back(fmt::format("{}: {}", what, e.describe()));
    } catch (const std::exception& e) {
      failures.push_back(fmt::format("{}: {}", what, e.what()));
    }
  };
  if (!a.json_file.empty())
    attempt("--json", [&] { write_report_file(a.json_file, json_report(run, extras)); });
  if (!a.junit_file.empty())
    attempt("--junit", [&] { write_report_file(a.junit_file, run_result_to_junit(run)); });
  attempt("[report]", [&] {
    write_per_file_reports(a.output_dir, run, planned_results, tests, plan, std::max(1, a.repeat),
                           digests);
  });
  if (!a.html_file.empty()) attempt("--html", [&] {
    std::optional<report::TrendsByTest> trends;
    if (recorder && recorder->store()) {
      try {
        trends = report::load_trends(*recorder->store(), run, 30, recorder->run_id());
      } catch (const Error& e) {
        std::fprintf(stderr, "clnrm: warning: no history trends in the HTML report: %s\n",
                     e.describe().c_str());
      }
    }
    report::write_html_report(run, trends, a.html_file);
  });
  if (!a.metrics_file.empty()) attempt("--metrics-file", [&] {
    write_metrics_file(a.metrics_file, env.metrics().snapshot(), run);
  });
  if (!a.trace_file.empty())
    attempt("--trace-file", [&] { write_trace_file(a.trace_file, run); });
  if (!a.otel_endpoint.empty()) {
    try {
      post_otlp(a.otel_endpoint, run);
    } catch (const Error& e) {
      std::fprintf(stderr, "clnrm: warning: traces not exported: %s\n", e.describe().c_str());
    }
  }
  return failures;
}

// The options as a human reads them, stored with the run in history.
std::string command_line(const RunArgs& a, const RunSettings& settings) {
  std::string s = fmt::format("run --backend {} --jobs {}", settings.backend, settings.jobs);
  if (a.fail_fast) s += " --fail-fast";
  if (a.planning.order != "file") s += " --order " + a.planning.order;
  if (!a.planning.shard.empty()) s += " --shard " + a.planning.shard;
  if (a.planning.rerun_failed) s += " --rerun-failed";
  if (a.retries > 0) s += fmt::format(" --retries {}", a.retries);
  if (a.repeat > 1) s += fmt::format(" --repeat {}", a.repeat);
  if (a.check_determinism) s += " --check-determinism";
  if (a.seed) s += fmt::format(" --seed {}", *a.seed);
  for (const std::string& p : a.paths) s += " " + p;
  return s;
}

int run_command(RunArgs a) {
  if (a.paths.empty()) a.paths.push_back(".");
  if (a.format != "human" && a.format != "json")
    throw Error(ErrorKind::Usage, fmt::format("unknown format '{}' (use human or json)", a.format),
                "--format");
  if (a.quiet && a.verbose)
    throw Error(ErrorKind::Usage, "--quiet and --verbose exclude each other");
  // Flags over cleanroom.toml over built-in defaults (project_settings.h).
  const ProjectSettings project = load_project_settings(a.config);
  const RunSettings settings =
      resolve_run_settings({a.backend, a.jobs, a.timeout, a.image_map}, project.config);
  if (a.verbose)
    std::fprintf(stderr, "clnrm: %s\nclnrm: %s\n", project.note.c_str(),
                 settings.describe().c_str());
  RunOptions options;
  options.default_test_timeout = settings.timeout;
  if (a.retries < 0) throw Error(ErrorKind::Usage, "--retries must be 0 or more", "--retries");
  if (a.repeat < 1) throw Error(ErrorKind::Usage, "--repeat must be 1 or more", "--repeat");
  if (a.check_determinism && a.repeat < 2)
    throw Error(ErrorKind::Usage,
                "--check-determinism compares repeats: give --repeat N with N >= 2",
                "--check-determinism");
  options.retries = a.retries;
  options.repeat = a.repeat;
  options.seed = a.seed;

  std::vector<SkippedFile> skipped;
  const std::vector<std::string> files = select_test_files(a.paths, a.include_failing, &skipped);
  if (!a.quiet || files.empty()) report_skipped(stderr, skipped, a.verbose);
  if (files.empty()) {
    std::fprintf(stderr, "clnrm: error: no *.clnrm.toml files found in %s\n",
                 fmt::format("{}", fmt::join(a.paths, " ")).c_str());
    return 2;
  }
  ParseOptions parse_options;
  parse_options.upstream = a.upstream;
  ParsedFiles parsed = parse_all(files, parse_options, project.config);
  if (!parsed.invalid.empty() && !a.keep_going) {
    std::fprintf(stderr,
                 "clnrm: error: %zu invalid test file%s; nothing was run (--keep-going runs the "
                 "valid ones and reports these as errors%s)\n",
                 parsed.invalid.size(), parsed.invalid.size() == 1 ? "" : "s",
                 parsed.unknown_keys && !a.upstream
                     ? "; --upstream makes unknown keys, which upstream clnrm ignores, warnings"
                     : "");
    return 2;
  }
  const std::set<std::string> duplicate_names = warn_duplicate_names(parsed);
  std::vector<TestSpec>* tests = &parsed.tests;
  // A report path that cannot be written is an error before anything runs,
  // not a surprise after an OK verdict.
  bool outputs_ok = true;
  for (const auto& [flag, path] : output_files(a)) {
    if (auto why = why_not_writable(path)) {
      std::fprintf(stderr, "clnrm: error: %s: %s\n", flag,
                   escape_control_characters(*why).c_str());
      outputs_ok = false;
    }
  }
  if (!outputs_ok) return 2;
  std::optional<KeptLogs> kept_logs;
  if (!a.keep_logs_dir.empty()) {
    kept_logs.emplace(a.keep_logs_dir);
    options.service_log_sink = kept_logs->sink();
  }

  BackendChoiceOptions backend_options;
  backend_options.image_map = settings.image_map;
  backend_options.reuse = a.reuse;
  backend_options.docker_host = a.docker_host;
  // --reuse: every service is `reuse = true` (the runner then leaves the
  // per-test variables out of its environment, so tests can share it).
  if (a.reuse)
    for (TestSpec& t : *tests)
      for (ServiceSpec& s : t.services) s.reuse = true;
  BackendChoice chosen = choose_backend(settings.backend, *tests, backend_options);
  // Which backend runs the tests and why: always for auto (a fallback is
  // never silent), with -v for every run.
  if (!a.quiet && (!chosen.reason.empty() || a.verbose))
    std::fprintf(stderr, "clnrm: backend %s (%s)\n", std::string(chosen.backend->name()).c_str(),
                 chosen.reason.empty() ? settings.backend_from.c_str() : chosen.reason.c_str());
  Environment env(std::move(chosen.backend));
  register_builtin_plugins(env.services());
  warn_if_reuse_is_ignored(env.backend(), *tests, a.reuse);

  const bool json_out = a.format == "json";
  std::FILE* console_stream = json_out ? stderr : stdout;
  const Verbosity verbosity = a.quiet     ? Verbosity::Quiet
                              : a.verbose ? Verbosity::Verbose
                                          : Verbosity::Normal;
  ConsoleReporter console(console_stream, colour_wanted(console_stream), verbosity);
  for (const TestResult& t : parsed.invalid) console.test_finished(t);

  options.jobs = settings.jobs;
  options.fail_fast = a.fail_fast;
  std::string planning_note;
  options.ordering = make_ordering(a.planning, planning_note);
  const Plan plan = make_plan(*tests, options);
  if (!planning_note.empty() && !a.quiet)
    std::fprintf(stderr, "clnrm: %s\n", planning_note.c_str());
  if (plan.order.empty() && parsed.invalid.empty()) {
    std::fprintf(stderr, "clnrm: no test selected (--shard / --rerun-failed left none)\n");
    return 0;
  }

  std::optional<history::Recorder> recorder;
  if (a.planning.use_history)
    recorder.emplace(a.planning.db,
                     history::collect_run_meta(std::string(env.backend().name()), command_line(a, settings)));

  CancelToken cancel;
  SignalCancellation signals(cancel, !a.quiet);
  options.cancel = &cancel;
  // With --repeat, budgets are applied after the last repeat: history then
  // records the final verdicts, after the run.
  const bool repeated = a.repeat > 1;
  options.on_test_started = [&](const TestSpec& spec, int worker) {
    console.test_started(spec.name, worker);
  };
  options.on_test_finished = [&](const TestResult& t) {
    if (duplicate_names.count(t.name)) {
      // The console line names the test only: add its file when the name is not enough.
      TestResult shown = t;
      shown.name = fmt::format("{} ({})", t.name, t.file);
      console.test_finished(shown);
    } else {
      console.test_finished(t);
    }
    if (recorder && !repeated) recorder->record(t);
  };
  console.start_progress(plan.order.size() * static_cast<std::size_t>(std::max(1, a.repeat)),
                         ::isatty(::fileno(console_stream)) == 1);
  RunResult run = run_plan(env, *tests, plan, options);
  console.stop_progress();

  RepeatExtras extras;
  DeterminismCollector digests;
  // Digests hash every step's output: only when something reads them.
  const bool want_digests =
      a.check_determinism || std::any_of(tests->begin(), tests->end(), [](const TestSpec& t) {
        return t.report.digest.has_value();
      });
  if (want_digests)
    for (const TestResult& t : run.tests)
      if (t.status != Status::Skipped) digests.add(t, t.repeat);
  bool determinism_failed = false;
  if (repeated) {
    extras.timings = step_timings(run, *tests);
    apply_step_budgets(run, extras.timings);
    if (!a.quiet) print_step_timings(console_stream, extras.timings);
    for (const StepTiming& t : extras.timings)
      if (t.over_budget)
        std::fprintf(console_stream, "FAIL  %s\n",
                     escape_control_characters(describe_budget_failure(t)).c_str());
  }
  if (a.check_determinism) {
    const std::vector<DeterminismReport> reports = digests.reports();
    // A test whose repeats differ counts as one failed result, so every
    // report (summary, JSON, JUnit, history) tells the same story as the
    // exit code; the console names each differing step here.
    for (const DeterminismVerdict& v : apply_determinism_verdicts(run, reports)) {
      determinism_failed = true;
      console.determinism_failed(run.tests[v.counted], v.differences, v.repeats);
    }
    if (!determinism_failed && !a.quiet)
      std::fprintf(console_stream,
                   "\ndeterminism: every test gave identical output over %d repeats\n", a.repeat);
    extras.digests = digests_to_json(digests.digests(), reports);
  }
  if (recorder && repeated)
    for (const TestResult& t : run.tests) recorder->record(t);
  // History records only tests that ran (an invalid file has no test name).
  if (recorder) recorder->finish(run);
  if (recorder && !recorder->warning().empty())
    std::fprintf(stderr, "clnrm: warning: %s\n", recorder->warning().c_str());
  if (a.format == "json" || !a.json_file.empty())
    extras.metrics = metrics_to_json(env.metrics().snapshot(), run);
  // Invalid files (--keep-going) go last, after the results that map onto the plan.
  const std::size_t planned_results = run.tests.size();
  for (TestResult& t : parsed.invalid) run.tests.push_back(std::move(t));

  // Report files before the verdict: one that cannot be written makes it FAILED.
  std::vector<std::string> not_written =
      write_outputs(a, run, planned_results, *tests, plan, env, recorder ? &*recorder : nullptr,
                    extras, digests);
  if (kept_logs)
    for (std::string& f : kept_logs->failures()) not_written.push_back(std::move(f));
  for (const std::string& f : not_written)
    std::fprintf(stderr, "clnrm: error: report not written: %s\n",
                 escape_control_characters(f).c_str());
  console.summary(run, not_written.size());

  if (json_out) {
    const std::string text = json_report(run, extras);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

  if (cancel.cancelled()) {
    std::fprintf(stderr, "clnrm: interrupted: every cleanroom was torn down\n");
    return 130;
  }
  // An invalid file is a configuration error (exit 2) even when the valid ones passed.
  if (!parsed.invalid.empty()) return 2;
  return determinism_failed || !not_written.empty() ? 1 : run.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<RunArgs>();
  args->planning.db = history::default_path();
  auto* cmd = app.add_subcommand("run", "Run *.clnrm.toml tests, each in a fresh cleanroom");
  cmd->add_option("paths", args->paths, "Test files or directories (default: .)");
  cmd->add_option("-j,--jobs", args->jobs,
                  fmt::format("Tests run in parallel, {}..{} (default: [defaults] jobs of "
                              "cleanroom.toml, else the number of cores)",
                              kMinJobs, kMaxJobs));
  cmd->add_flag("--fail-fast", args->fail_fast, "Start no new test after the first failure");
  cmd->add_option("--format", args->format, "Output on stdout: human or json")
      ->capture_default_str();
  cmd->add_option("--junit", args->junit_file, "Also write a JUnit XML report to FILE");
  cmd->add_option("--json", args->json_file, "Also write the JSON report to FILE");
  cmd->add_option("--output-dir", args->output_dir,
                  "Directory that [report] json/junit/digest paths named in test files are "
                  "written under (they must be relative, without '..'; symbolic links below it "
                  "are not followed). Paths given as options go where they say")
      ->capture_default_str();
  cmd->add_option("--backend", args->backend,
                  fmt::format("Isolation backend: {} (default: [defaults] backend of "
                              "cleanroom.toml, else {})",
                              fmt::join(backend_names(), "|"), default_backend_name()));
  cmd->add_option("--docker-host", args->docker_host,
                  "docker/auto: engine address (unix:///path or tcp://host:port); default "
                  "DOCKER_HOST, then CLNRM_DOCKER_SOCKET, then the usual sockets");
  cmd->add_option("--image-map", args->image_map,
                  "docker: run image TO for FROM (FROM=TO, repeatable; wins over [images] of "
                  "cleanroom.toml)")
      ->allow_extra_args(false);
  cmd->add_flag("--reuse", args->reuse,
                "docker: keep service containers warm across tests and runs");
  cmd->add_option("--order", args->planning.order,
                  "Test order: file, random[:SEED] or history (longest first)")
      ->capture_default_str();
  cmd->add_option("--shard", args->planning.shard,
                  "Run only shard K of N (K/N), balanced by history");
  cmd->add_flag("--rerun-failed", args->planning.rerun_failed,
                "Run only the tests that failed in the last complete run");
  cmd->add_option("--db", args->planning.db, "History database")->capture_default_str();
  cmd->add_flag(
      "--no-history", [args](std::int64_t) { args->planning.use_history = false; },
      "Do not read or record run history");
  cmd->add_option("--html", args->html_file,
                  "Also write an HTML report (with history trends) to FILE");
  cmd->add_option("--metrics-file", args->metrics_file,
                  "Also write Prometheus metrics (text format) to FILE");
  cmd->add_option("--trace-file", args->trace_file, "Also write OTLP/JSON traces to FILE");
  cmd->add_option("--otel-endpoint", args->otel_endpoint,
                  "POST OTLP/JSON traces to this collector (http://host:4318)");
  cmd->add_option("--retries", args->retries,
                  "Re-run a failed test up to N more times, each in a fresh cleanroom; a pass "
                  "after a retry is reported as FLAKY (steps see CLNRM_ATTEMPT=1,2,...)")
      ->capture_default_str();
  cmd->add_option("--repeat", args->repeat,
                  "Run every test N times (steps see CLNRM_REPEAT=0..N-1); prints per-step "
                  "min/median/p95 and checks steps' max_duration against the median")
      ->capture_default_str();
  cmd->add_flag("--check-determinism", args->check_determinism,
                "With --repeat: compare every repeat's step outputs with the first; fail the "
                "run and name the first differing line when they differ");
  cmd->add_option("--seed", args->seed,
                  "Seed exported as CLNRM_SEED (overrides [determinism] seed)");
  cmd->add_option("--keep-logs", args->keep_logs_dir,
                  "Write every service's whole output to DIR/<test>-<hash>/<service>.log "
                  "(failure reports show the last 50 lines)");
  cmd->add_option("--timeout", args->timeout,
                  "Timeout for tests without their own (0: none; default: [defaults] timeout of "
                  "cleanroom.toml, else 5m)");
  cmd->add_flag("-q,--quiet", args->quiet, "Print only failures and the summary");
  cmd->add_flag("-v,--verbose", args->verbose, "Print services and steps of every test");
  add_config_flags(*cmd, args->config);
  cmd->add_flag("--include-failing", args->include_failing,
                "Also run files under directories named `failing` (left out by default)");
  cmd->add_flag("--keep-going", args->keep_going,
                "Run the valid test files even when some are invalid; each invalid file is "
                "reported as an error (console, JSON, JUnit <error>) and the run exits 2");
  cmd->add_flag("--upstream", args->upstream,
                "Accept upstream clnrm's files: keys clnrm does not act on (upstream's own, or "
                "unknown keys, which upstream ignores) are warnings naming them, not errors");
  cmd->callback([args, &ctx] { ctx.exit_code = run_command(*args); });
}

}  // namespace clnrm::cli
