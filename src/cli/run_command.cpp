// `clnrm run [PATH...]`: flags and cleanroom.toml -> SuiteOptions ->
// run_suite (clnrm/suite.h: parse, plan, run, verdicts, history, outputs) ->
// text. Exit 0 all passed, 1 failures, 2 usage/config error, 130 interrupted.
// --watch DIR: the same run again for the affected files on every change
// (watch_loop.h).
#include <clnrm/backend_choice.h>
#include <clnrm/control_characters.h>
#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/parser.h>
#include <clnrm/report.h>
#include <clnrm/step_timings.h>
#include <clnrm/suite.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <set>
#include <utility>

#include "cli/commands.h"
#include "cli/many_options_command.h"
#include "cli/plan_listing.h"
#include "cli/project_settings.h"
#include "cli/template_flags.h"
#include "cli/skipped_files.h"
#include "cli/watch_loop.h"

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
  std::string pull;      // not given: CLNRM_PULL, else [defaults] pull, else missing (run_settings_from_flags)
  bool offline = false;
  ConfigFlags config;
  bool quiet = false;
  bool verbose = false;
  bool include_failing = false;
  bool keep_going = false;  // run the valid files when some are invalid
  bool upstream = false;    // keys clnrm does not act on: warnings, not errors
  TemplateFlags templates;  // --var, --allow-env
  std::vector<std::string> image_map;
  bool reuse = false;
  std::optional<int> pool;  // not given: CLNRM_DOCKER_POOL, else [defaults] pool, else 2
  bool no_pool = false;
  SuitePlanning planning;
  std::string db;           // history DB
  bool use_history = true;  // false: --no-history
  std::string html_file;
  std::string metrics_file;
  std::string trace_file;
  std::string otel_endpoint;
  int retries = 0;
  bool update_golden = false;
  int repeat = 1;
  bool check_determinism = false;
  std::optional<std::uint64_t> seed;
  std::string keep_logs_dir;
  TestFilter filter;     // -k, --tag, --skip-tag
  bool list = false;     // --list: print what would run, run nothing
  bool dry_run = false;  // --dry-run: print the plan, run nothing
  std::vector<std::string> watch;  // --watch DIR: rerun the affected tests on change
};

// --list / --dry-run run nothing, so they write no report: a report flag
// beside them is a mistake said at once, not a file silently missing.
// --watch runs again and again: a flag that runs nothing, or that picks
// tests by something other than what changed, or that writes below the
// watched tree on every run, contradicts it.
void check_plan_only_flags(const RunArgs& a) {
  if (!a.watch.empty()) {
    const std::pair<bool, const char*> refused[] = {
        {a.list, "--list runs nothing: use one or the other"},
        {a.dry_run, "--dry-run runs nothing: use one or the other"},
        {!a.planning.shard.empty(),
         "it reruns the tests a change affects, not a shard of them: drop --shard"},
        {a.planning.rerun_failed,
         "it picks tests by what changed, --rerun-failed by history: drop one"},
        {a.update_golden,
         "--update-golden rewrites files below the test files on every run, which would rerun "
         "them: run it once without --watch"}};
    for (const auto& [given, why] : refused)
      if (given) throw Error(ErrorKind::Usage, fmt::format("--watch: {}", why), "--watch");
  }
  if (a.list && a.dry_run)
    throw Error(ErrorKind::Usage, "--list and --dry-run exclude each other (--dry-run lists too)",
                "--list");
  if (!a.list && !a.dry_run) return;
  const char* mode = a.list ? "--list" : "--dry-run";
  const std::pair<const char*, const std::string*> outputs[] = {
      {"--json", &a.json_file},          {"--junit", &a.junit_file},
      {"--html", &a.html_file},          {"--metrics-file", &a.metrics_file},
      {"--trace-file", &a.trace_file},   {"--otel-endpoint", &a.otel_endpoint},
      {"--keep-logs", &a.keep_logs_dir}};
  for (const auto& [flag, value] : outputs)
    if (!value->empty())
      throw Error(ErrorKind::Usage,
                  fmt::format("{} runs nothing and writes no report: drop {}", mode, flag), mode);
}

// --list / --dry-run: the plan on stdout, text or JSON.
void print_plan(const RunArgs& a, const RunSettings& settings, const SuitePlan& plan) {
  std::string text;
  if (a.list) {
    text = a.format == "json" ? list_json(plan) : list_text(plan);
  } else {
    const DryRunFacts facts{settings.backend_from, a.planning.order, a.planning.shard,
                            a.planning.rerun_failed, a.repeat, a.retries, settings.timeout};
    text = a.format == "json" ? dry_run_json(plan, facts) : dry_run_text(plan, facts);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
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

// The flag or place that names an output, in messages.
const char* flag_of(SuiteOutput output) {
  switch (output) {
    case SuiteOutput::Json:
      return "--json";
    case SuiteOutput::Junit:
      return "--junit";
    case SuiteOutput::Html:
      return "--html";
    case SuiteOutput::Metrics:
      return "--metrics-file";
    case SuiteOutput::Trace:
      return "--trace-file";
    case SuiteOutput::PerTestReports:
      return "[report]";
    case SuiteOutput::KeptLogs:
      return "--keep-logs";
  }
  return "output";
}

// What `clnrm run` prints while the suite runs: diagnostics and warnings on
// stderr, the console reporter's lines (stdout, or stderr with --format json).
class ConsoleObserver : public SuiteObserver {
 public:
  ConsoleObserver(const RunArgs& a, const RunSettings& settings, std::FILE* console_stream)
      : a_(a),
        settings_(settings),
        stream_(console_stream),
        console_(console_stream, colour_wanted(console_stream),
                 a.quiet     ? Verbosity::Quiet
                 : a.verbose ? Verbosity::Verbose
                             : Verbosity::Normal) {}

  ConsoleReporter& console() { return console_; }

  // What a directory held besides the tests: said at once (with -q only
  // when no test file was found, see run_command).
  void files_skipped(const std::vector<SkippedFile>& skipped) override {
    skipped_ = skipped;
    if (!a_.quiet) report_skipped(stderr, skipped, a_.verbose);
  }
  const std::vector<SkippedFile>& skipped() const { return skipped_; }

  void diagnostic(const Diagnostic& d) override { std::fprintf(stderr, "%s\n", d.format().c_str()); }

  // Two tests of one name are told apart by their files: say which, with the
  // position of each name.
  void duplicate_names(const std::vector<DuplicateName>& duplicates,
                       const std::vector<TestNameUse>& tests) override {
    for (const DuplicateName& d : duplicates) {
      duplicates_.insert(d.name);
      std::vector<std::string> where;
      for (std::size_t i : d.uses)
        where.push_back(
            fmt::format("{}:{}:{}", tests[i].file, tests[i].pos.line, tests[i].pos.column));
      std::fprintf(stderr,
                   "clnrm: warning: %zu tests are named '%s': %s (reports tell them apart by file)\n",
                   d.uses.size(), escape_control_characters(d.name).c_str(),
                   escape_control_characters(fmt::format("{}", fmt::join(where, ", "))).c_str());
    }
  }

  // Which backend runs the tests and why: always for auto (a fallback is
  // never silent), with -v for every run.
  void backend_chosen(std::string_view name, const std::string& reason) override {
    if (!a_.quiet && (!reason.empty() || a_.verbose))
      std::fprintf(stderr, "clnrm: backend %s (%s)\n", std::string(name).c_str(),
                   reason.empty() ? settings_.backend_from.c_str() : reason.c_str());
  }

  void warning(const std::string& text) override {
    std::fprintf(stderr, "clnrm: warning: %s\n", text.c_str());
  }

  void planning_note(const std::string& note) override {
    if (!a_.quiet) std::fprintf(stderr, "clnrm: %s\n", note.c_str());
  }

  void invalid_file(const TestResult& t) override { console_.test_finished(t); }

  void run_starting(std::size_t results) override {
    console_.start_progress(results, ::isatty(::fileno(stream_)) == 1);
  }

  void test_started(const TestSpec& spec, int worker) override {
    console_.test_started(spec.name, worker);
  }

  void test_finished(const TestResult& t) override {
    if (duplicates_.count(t.name)) {
      // The console line names the test only: add its file when the name is not enough.
      TestResult shown = t;
      shown.name = fmt::format("{} ({})", t.name, t.file);
      console_.test_finished(shown);
    } else {
      console_.test_finished(t);
    }
  }

  void run_finished() override { console_.stop_progress(); }

  void step_timings(const std::vector<StepTiming>& timings) override {
    if (!a_.quiet) print_step_timings(stream_, timings);
    for (const StepTiming& t : timings)
      if (t.over_budget)
        std::fprintf(stream_, "FAIL  %s\n",
                     escape_control_characters(describe_budget_failure(t)).c_str());
  }

  void determinism_failed(const TestResult& counted, const std::vector<std::string>& differences,
                          int repeats) override {
    console_.determinism_failed(counted, differences, repeats);
  }

  void determinism_passed(int repeats) override {
    if (!a_.quiet)
      std::fprintf(stream_, "\ndeterminism: every test gave identical output over %d repeats\n",
                   repeats);
  }

 private:
  const RunArgs& a_;
  const RunSettings& settings_;
  std::FILE* stream_;
  ConsoleReporter console_;
  std::set<std::string> duplicates_;
  std::vector<SkippedFile> skipped_;
};

// The options as a human reads them, stored with the run in history.
std::string command_line(const RunArgs& a, const RunSettings& settings) {
  std::string s = fmt::format("run --backend {} --jobs {}", settings.backend, settings.jobs);
  if (a.fail_fast) s += " --fail-fast";
  if (a.planning.order != "file") s += " --order " + a.planning.order;
  if (!a.planning.shard.empty()) s += " --shard " + a.planning.shard;
  if (!a.planning.timings.empty()) s += " --timings " + a.planning.timings;
  if (a.planning.rerun_failed) s += " --rerun-failed";
  if (a.retries > 0) s += fmt::format(" --retries {}", a.retries);
  if (a.repeat > 1) s += fmt::format(" --repeat {}", a.repeat);
  if (a.check_determinism) s += " --check-determinism";
  if (a.update_golden) s += " --update-golden";
  if (a.seed) s += fmt::format(" --seed {}", *a.seed);
  for (const std::string& k : a.filter.names) s += fmt::format(" -k '{}'", k);
  for (const std::string& t : a.filter.tags) s += " --tag " + t;
  for (const std::string& t : a.filter.skip_tags) s += " --skip-tag " + t;
  for (const std::string& w : a.watch) s += " --watch " + w;
  for (const std::string& p : a.paths) s += " " + p;
  return s;
}

// Report paths a run writes and the history database: the watch does not
// take their writes for changes.
std::vector<std::string> own_outputs(const RunArgs& a) {
  std::vector<std::string> out = {a.json_file, a.junit_file,   a.html_file,    a.metrics_file,
                                  a.trace_file, a.keep_logs_dir};
  if (a.use_history)
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) out.push_back(a.db + suffix);
  return out;
}

WatchRun run_paths(const RunArgs& a, const ProjectSettings& project, const RunSettings& settings,
                   const std::vector<std::string>& paths, CancelToken* watch_cancel);

int run_command(RunArgs a) {
  const bool watching = !a.watch.empty();
  // Without PATHs: the watched directories, else the current one.
  if (a.paths.empty()) a.paths = watching ? a.watch : std::vector<std::string>{"."};
  if (a.format != "human" && a.format != "json")
    throw Error(ErrorKind::Usage, fmt::format("unknown format '{}' (use human or json)", a.format),
                "--format");
  if (a.quiet && a.verbose)
    throw Error(ErrorKind::Usage, "--quiet and --verbose exclude each other");
  // Flags over cleanroom.toml over built-in defaults (project_settings.h).
  const ProjectSettings project = load_project_settings(a.config);
  const RunSettings settings =
      run_settings_from_flags({a.backend, a.jobs, a.timeout, a.image_map, a.pull, a.no_pool ? std::optional<int>(0) : a.pool}, project.config);
  if (a.verbose)
    std::fprintf(stderr, "clnrm: %s\nclnrm: %s\n", project.note.c_str(),
                 settings.describe().c_str());
  if (a.retries < 0) throw Error(ErrorKind::Usage, "--retries must be 0 or more", "--retries");
  if (a.repeat < 1) throw Error(ErrorKind::Usage, "--repeat must be 1 or more", "--repeat");
  if (a.check_determinism && a.repeat < 2)
    throw Error(ErrorKind::Usage,
                "--check-determinism compares repeats: give --repeat N with N >= 2",
                "--check-determinism");

  check_plan_only_flags(a);
  if (!watching) return run_paths(a, project, settings, a.paths, nullptr).exit_code;

  WatchRequest request;
  request.roots = a.watch;
  request.test_paths = a.paths;
  request.include_failing = a.include_failing;
  request.own_outputs = own_outputs(a);
  request.out = a.format == "json" ? stderr : stdout;
  request.announce_signals = !a.quiet;
  return watch_and_rerun(request, [&](const std::vector<std::string>& files, CancelToken& cancel) {
    // cleanroom.toml is read again for every run, so an edit to it applies;
    // a broken one is said and the watch goes on.
    try {
      const ProjectSettings now = load_project_settings(a.config);
      const RunSettings now_settings =
          run_settings_from_flags({a.backend, a.jobs, a.timeout, a.image_map, a.pull, a.no_pool ? std::optional<int>(0) : a.pool}, now.config);
      return run_paths(a, now, now_settings, files, &cancel);
    } catch (const Error& e) {
      std::fprintf(stderr, "clnrm: error: %s\n", e.describe().c_str());
      return WatchRun{e.exit_code(), {}, {}};
    }
  });
}

// One run of `paths` (test files or directories) under the flags:
// SuiteOptions, run_suite, its text. `watch_cancel`: the watch's token (the
// watch handles the signals); null: run_suite's own, with its own signal
// handling.
WatchRun run_paths(const RunArgs& a, const ProjectSettings& project, const RunSettings& settings,
                   const std::vector<std::string>& paths, CancelToken* watch_cancel) {
  SuiteOptions suite;
  suite.paths = paths;
  suite.include_failing = a.include_failing;
  suite.parse.upstream = a.upstream;
  apply_template_flags(a.templates, suite.parse);
  suite.keep_going = a.keep_going;
  suite.project = project.config;
  apply_run_settings(settings, suite);
  suite.backend_options.docker_host = a.docker_host;
  suite.backend_options.offline = a.offline;
  // The process ends right after the run: containers still to remove are
  // left to the docker backend's teardown process, not waited for.
  suite.backend_options.detach_teardown = true;
  suite.reuse_services = a.reuse;
  suite.run.fail_fast = a.fail_fast;
  suite.run.retries = a.retries;
  suite.run.repeat = a.repeat;
  suite.run.seed = a.seed;
  suite.run.update_golden = a.update_golden;
  suite.planning = a.planning;
  suite.planning.order_as = "--order";
  suite.planning.shard_as = "--shard";
  suite.planning.timings_as = "--timings";
  suite.planning.rerun_failed_as = "--rerun-failed";
  if (!a.use_history && (a.planning.order == "history" || a.planning.rerun_failed))
    throw Error(ErrorKind::Usage, "--order history and --rerun-failed need history; drop --no-history");
  suite.filter = a.filter;
  suite.plan_only = a.list || a.dry_run;
  suite.check_determinism = a.check_determinism;
  if (a.use_history) suite.history_db = a.db;
  suite.history_command = command_line(a, settings);
  suite.outputs.json_file = a.json_file;
  suite.outputs.junit_file = a.junit_file;
  suite.outputs.html_file = a.html_file;
  suite.outputs.metrics_file = a.metrics_file;
  suite.outputs.trace_file = a.trace_file;
  suite.outputs.otel_endpoint = a.otel_endpoint;
  suite.outputs.otel_endpoint_as = "--otel-endpoint";
  suite.outputs.report_dir = a.output_dir;
  suite.outputs.keep_logs_dir = a.keep_logs_dir;
  const bool json_out = a.format == "json";
  suite.outputs.json_text = json_out;
  suite.cancel = watch_cancel;
  suite.handle_signals = watch_cancel == nullptr;
  suite.announce_signals = !a.quiet;

  ConsoleObserver observer(a, settings, json_out || suite.plan_only ? stderr : stdout);
  SuiteOutcome outcome = run_suite(suite, &observer);

  if (outcome.no_test_files) {
    if (a.quiet) report_skipped(stderr, observer.skipped(), a.verbose);
    std::fprintf(stderr, "clnrm: error: no *.clnrm.toml files found in %s\n",
                 fmt::format("{}", fmt::join(paths, " ")).c_str());
    return WatchRun{2, {}, {}};
  }
  if (outcome.invalid_files > 0 && !a.keep_going) {
    std::fprintf(stderr,
                 "clnrm: error: %zu invalid test file%s; nothing was run (--keep-going runs the "
                 "valid ones and reports these as errors%s)\n",
                 outcome.invalid_files, outcome.invalid_files == 1 ? "" : "s",
                 outcome.unknown_keys && !a.upstream
                     ? "; --upstream makes unknown keys, which upstream clnrm ignores, warnings"
                     : "");
    return WatchRun{2, {}, {}};
  }
  // A report path that cannot be written is an error before anything runs,
  // not a surprise after an OK verdict.
  if (!outcome.unwritable.empty()) {
    for (const OutputProblem& p : outcome.unwritable)
      std::fprintf(stderr, "clnrm: error: %s: %s\n", flag_of(p.output),
                   escape_control_characters(p.why).c_str());
    return WatchRun{2, {}, {}};
  }
  if (outcome.nothing_selected)
    std::fprintf(stderr,
                 "clnrm: no test selected (-k / --tag / --skip-tag / --shard / --rerun-failed "
                 "left none)\n");
  if (outcome.plan) {
    print_plan(a, settings, *outcome.plan);
    return WatchRun{outcome.exit_code(), {}, {}};
  }
  if (outcome.nothing_selected) return WatchRun{0, {}, {}};

  // A report file that could not be written makes the verdict FAILED.
  for (const OutputProblem& p : outcome.not_written)
    std::fprintf(stderr, "clnrm: error: report not written: %s\n",
                 escape_control_characters(fmt::format("{}: {}", flag_of(p.output), p.why)).c_str());
  observer.console().summary(outcome.run, outcome.not_written.size());

  if (json_out) {
    std::fwrite(outcome.json.data(), 1, outcome.json.size(), stdout);
    std::fflush(stdout);
  }

  if (outcome.verdict == SuiteVerdict::Interrupted)
    std::fprintf(stderr, "clnrm: interrupted: every cleanroom was torn down\n");
  return WatchRun{outcome.exit_code(), std::move(outcome.run), std::move(outcome.files_written)};
}

}  // namespace

void add_run_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<RunArgs>();
  args->db = history::default_path();
  auto* cmd = ManyOptionsCommand::add_to(app, "run", "Run *.clnrm.toml tests, each in a fresh cleanroom");
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
  cmd->add_option("--pull", args->pull,
                  "sandbox: when a registry is asked for an image: never, missing or always "
                  "(default: CLNRM_PULL, else [defaults] pull of cleanroom.toml, else missing)")
      ->check(CLI::IsMember({"never", "missing", "always"}));
  cmd->add_flag("--offline", args->offline,
                "sandbox: never touch the network for images (no registry, no tcp:// engine)");
  cmd->add_option("--image-map", args->image_map,
                  "docker: run image TO for FROM (FROM=TO, repeatable; wins over [images] of "
                  "cleanroom.toml)")
      ->allow_extra_args(false);
  cmd->add_flag("--reuse", args->reuse,
                "docker: keep service containers warm across tests and runs");
  auto* pool = cmd->add_option(
      "--pool", args->pool,
      fmt::format("docker: fresh, never-used containers kept per shape for later runs, 0..{} (0: off; "
                  "default: CLNRM_DOCKER_POOL, else [defaults] pool of cleanroom.toml, else {})",
                  kMaxPool, kDefaultPool));
  cmd->add_flag("--no-pool", args->no_pool, "docker: take no container from the fresh pool and refill none (--pool 0)")
      ->excludes(pool);
  cmd->add_option("--order", args->planning.order,
                  "Test order: file, random[:SEED] or history (longest first)")
      ->capture_default_str();
  cmd->add_option("--shard", args->planning.shard,
                  "Run only shard K of N (K/N): every test in exactly one shard; balanced by "
                  "--timings, else by test count (never by the live history)");
  cmd->add_option("--timings", args->planning.timings,
                  "With --shard: balance the shards by this timing snapshot (written by "
                  "`clnrm history timings`; every shard must get the same file)");
  cmd->add_flag("--rerun-failed", args->planning.rerun_failed,
                "Run only the tests that failed in the last complete run");
  cmd->add_option("-k", args->filter.names,
                  "Select tests by name: PATTERN or 'not PATTERN' (substring; a glob with * ? "
                  "[ ]; FILE::NAME when it has ::). Repeatable: a test runs when it matches "
                  "any PATTERN and no 'not PATTERN'")
      ->allow_extra_args(false);
  cmd->add_option("--tag", args->filter.tags,
                  "Run only tests with this tag (repeatable: any of them)")
      ->allow_extra_args(false);
  cmd->add_option("--skip-tag", args->filter.skip_tags,
                  "Leave out tests with this tag (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--list", args->list,
                "Print the tests that would run (after selection and --shard), one FILE::NAME "
                "a line (--format json: an array); run nothing");
  cmd->add_flag("--dry-run", args->dry_run,
                "Print the plan (backend and why, lanes, each test's services and steps); "
                "start nothing, record no history");
  cmd->add_option("--watch", args->watch,
                  "Watch DIR (and everything below it; repeatable): run the tests, then rerun "
                  "the affected test files whenever a file changes, until Ctrl-C. Without PATHs "
                  "the tests are those under DIR")
      ->allow_extra_args(false)
      ->type_name("DIR");
  cmd->add_option("--db", args->db, "History database")->capture_default_str();
  cmd->add_flag(
      "--no-history", [args](std::int64_t) { args->use_history = false; },
      "Do not read or record run history");
  cmd->add_option("--html", args->html_file,
                  "Also write an HTML report (with history trends) to FILE");
  cmd->add_option("--metrics-file", args->metrics_file,
                  "Also write Prometheus metrics (text format) to FILE");
  cmd->add_option("--trace-file", args->trace_file, "Also write OTLP/JSON traces to FILE");
  cmd->add_option("--otel-endpoint", args->otel_endpoint,
                  "POST OTLP/JSON traces to this collector (http://host:4318)");
  cmd->add_flag("--update-golden", args->update_golden,
                "Rewrite each step's expected_output_file with what the step printed (atomic "
                "writes, only below the test file's directory) instead of comparing");
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
  add_template_flags(*cmd, args->templates);
  cmd->add_flag("--upstream", args->upstream,
                "Accept upstream clnrm's files: keys clnrm does not act on (upstream's own, or "
                "unknown keys, which upstream ignores) are warnings naming them, not errors");
  cmd->callback([args, &ctx] { ctx.exit_code = run_command(*args); });
}

}  // namespace clnrm::cli
