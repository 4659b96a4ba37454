// `clnrm history ...`: read the history DB (see include/clnrm/history.h).
#include <clnrm/duration.h>
#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/timing_snapshot.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/utc_time.h"
#include "cli/commands.h"

namespace clnrm::cli {

namespace {

using nlohmann::json;

struct CommonOptions {
  std::string db = history::default_path();
  std::string format = "human";
};

void add_common(CLI::App* cmd, CommonOptions& o, const std::vector<std::string>& formats) {
  cmd->add_option("--db", o.db, "History database")->capture_default_str();
  cmd->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
}

history::Store open_store(const CommonOptions& o) {
  history::StoreOptions options;
  options.read_only = true;
  return history::Store(o.db, options);
}

std::string format_ns(std::int64_t ns) { return format_duration(std::chrono::nanoseconds(ns)); }

std::string format_time(std::int64_t unix_ns) {
  if (unix_ns <= 0) return "-";
  return format_utc(unix_ns, UtcStyle::Table);
}

std::string iso_time(std::int64_t unix_ns) {
  if (unix_ns <= 0) return "";
  return format_utc(unix_ns, UtcStyle::Rfc3339);
}

std::string short_commit(const std::string& c) { return c.empty() ? "-" : c.substr(0, 10); }

// ▁▂▃▄▅▆▇█ of the values scaled between their min and max.
std::string sparkline(const std::vector<double>& v) {
  static const char* blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  if (v.empty()) return {};
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  std::string out;
  for (double x : v) {
    const double f = *hi > *lo ? (x - *lo) / (*hi - *lo) : 0.5;
    out += blocks[std::clamp(static_cast<int>(std::lround(f * 7)), 0, 7)];
  }
  return out;
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

void run_runs(const CommonOptions& o, std::size_t limit) {
  auto store = open_store(o);
  auto runs = store.runs(limit);
  if (o.format == "json") {
    json out = json::array();
    for (const auto& r : runs) {
      out.push_back({{"id", r.id},
                     {"started", iso_time(r.started_ns)},
                     {"finished", iso_time(r.finished_ns)},
                     {"complete", r.complete},
                     {"host", r.host},
                     {"git_commit", r.git_commit},
                     {"clnrm_version", r.clnrm_version},
                     {"backend", r.backend},
                     {"options", r.options},
                     {"tests", r.tests},
                     {"failed", r.failed}});
    }
    return print_json(out);
  }
  if (runs.empty()) {
    fmt::print("no runs recorded in {}\n", o.db);
    return;
  }
  fmt::print("{:>6}  {:<20}  {:>9}  {:>6}  {:>6}  {:<10}  {:<8}  {}\n", "run", "started",
             "duration", "tests", "failed", "commit", "backend", "state");
  for (const auto& r : runs) {
    fmt::print("{:>6}  {:<20}  {:>9}  {:>6}  {:>6}  {:<10}  {:<8}  {}\n", r.id,
               format_time(r.started_ns),
               r.complete ? format_ns(r.finished_ns - r.started_ns) : "-", r.tests, r.failed,
               short_commit(r.git_commit), r.backend.empty() ? "-" : r.backend,
               r.complete ? "complete" : "INCOMPLETE (killed or still running)");
  }
}

void run_flaky(const CommonOptions& o) {
  auto store = open_store(o);
  const auto report = history::find_flaky(store);
  if (o.format == "json") {
    json out{{"flaky", json::array()}, {"broken", json::array()}};
    for (const auto& f : report.flaky) {
      out["flaky"].push_back({{"file", f.file},
                              {"test", f.test},
                              {"runs", f.runs},
                              {"failures", f.failures},
                              {"flips", f.flips},
                              {"flip_rate", f.flip_rate},
                              {"retried_passes", f.retried_passes},
                              {"last_seen", iso_time(f.last_seen_ns)},
                              {"last_run", f.last_run}});
    }
    for (const auto& b : report.broken) {
      out["broken"].push_back({{"file", b.file},
                               {"test", b.test},
                               {"consecutive_failures", b.consecutive_failures},
                               {"since_run", b.since_run},
                               {"last_run", b.last_run}});
    }
    return print_json(out);
  }
  if (report.flaky.empty()) {
    fmt::print("no flaky tests: no outcome flipped while its file stayed the same\n");
  } else {
    fmt::print("FLAKY (outcome flipped while the file's content hash stayed the same)\n");
    fmt::print("  {:<28} {:>9} {:>6} {:>9} {:>8}  {:<20}  {}\n", "test", "flip rate", "flips",
               "failures", "retried", "last seen", "file");
    for (const auto& f : report.flaky) {
      fmt::print("  {:<28} {:>8.0f}% {:>6} {:>4}/{:<4} {:>8}  {:<20}  {}\n", f.test,
                 f.flip_rate * 100, f.flips, f.failures, f.runs, f.retried_passes,
                 format_time(f.last_seen_ns), f.file);
    }
  }
  if (!report.broken.empty()) {
    fmt::print("\nBROKEN (failing run after run; not flaky)\n");
    for (const auto& b : report.broken) {
      fmt::print("  {:<28} failed the last {} runs in a row (since run {}, last run {})  {}\n",
                 b.test, b.consecutive_failures, b.since_run, b.last_run, b.file);
    }
  }
}

void run_slowest(const CommonOptions& o, std::size_t limit, bool steps) {
  auto store = open_store(o);
  const auto slow = history::find_slowest(store, limit, steps);
  if (o.format == "json") {
    json out = json::array();
    for (const auto& s : slow) {
      out.push_back({{"file", s.file},
                     {"test", s.test},
                     {"samples", s.samples},
                     {"median_ns", s.median_ns},
                     {"p95_ns", s.p95_ns},
                     {"max_ns", s.max_ns}});
    }
    return print_json(out);
  }
  if (slow.empty()) {
    fmt::print("no durations recorded in {}\n", o.db);
    return;
  }
  fmt::print("{:<36} {:>9} {:>9} {:>9} {:>7}  {}\n", steps ? "test / step" : "test", "median",
             "p95", "max", "runs", "file");
  for (const auto& s : slow) {
    fmt::print("{:<36} {:>9} {:>9} {:>9} {:>7}  {}\n", s.test, format_ns(s.median_ns),
               format_ns(s.p95_ns), format_ns(s.max_ns), s.samples, s.file);
  }
}

void run_trend(const CommonOptions& o, const std::string& test, std::size_t limit) {
  auto store = open_store(o);
  const auto points = history::trend(store, test, limit);
  if (points.empty())
    throw Error(ErrorKind::Usage, "no recorded runs of test '" + test + "'", o.db);
  const auto cp = history::detect_change_point(points);
  if (o.format == "json") {
    json pts = json::array();
    for (const auto& p : points) {
      pts.push_back({{"run", p.run},
                     {"started", iso_time(p.started_ns)},
                     {"duration_ns", p.duration_ns},
                     {"status", std::string(to_string(p.status))},
                     {"git_commit", p.git_commit}});
    }
    json change = nullptr;
    if (cp.found) {
      change = {{"run", cp.run},
                {"git_commit", cp.git_commit},
                {"ratio", cp.ratio},
                {"median_before_ns", cp.median_before_ns},
                {"median_after_ns", cp.median_after_ns},
                {"p_value", cp.p_value}};
    }
    return print_json({{"test", test}, {"points", pts}, {"change_point", change}});
  }
  std::vector<double> d;
  for (const auto& p : points) d.push_back(static_cast<double>(p.duration_ns));
  fmt::print("{}: {} runs  {}\n\n", test, points.size(), sparkline(d));
  fmt::print("{:>6}  {:<20}  {:<10}  {:>9}  {}\n", "run", "started", "commit", "duration",
             "status");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    fmt::print("{:>6}  {:<20}  {:<10}  {:>9}  {}{}\n", p.run, format_time(p.started_ns),
               short_commit(p.git_commit), format_ns(p.duration_ns), to_string(p.status),
               cp.found && i == cp.index ? "   <- change" : "");
  }
  fmt::print("\n");
  if (cp.found) {
    fmt::print(
        "{} got {:.1f}x {} at run {} (commit {}): median {} -> {} (Mann-Whitney p = {:.2g}, "
        "corrected for {} "
        "candidate splits)\n",
        test, cp.ratio >= 1 ? cp.ratio : 1 / cp.ratio, cp.ratio >= 1 ? "slower" : "faster", cp.run,
        short_commit(cp.git_commit), format_ns(static_cast<std::int64_t>(cp.median_before_ns)),
        format_ns(static_cast<std::int64_t>(cp.median_after_ns)), cp.p_value,
        points.size() >= 6 ? points.size() - 5 : 0);
  } else if (points.size() < 6) {
    fmt::print("too few runs ({}) to look for a change (needs 6)\n", points.size());
  } else {
    fmt::print("no significant change in duration (best split: {:.2f}x, corrected p = {:.2g})\n",
               cp.ratio, cp.p_value);
  }
}

void run_export(const CommonOptions& o, std::int64_t run, const std::string& output) {
  auto store = open_store(o);
  // A file is written whole or not at all (src/base/atomic_file.h): a reader
  // (a CI step picking the export up) never sees half of it.
  if (!output.empty())
    if (auto why = why_not_writable(output)) throw Error(ErrorKind::Io, *why, output);
  std::ostringstream file;
  std::ostream& out = output.empty() ? std::cout : file;
  history::write_export(store, run,
                        o.format == "csv" ? history::ExportFormat::Csv : history::ExportFormat::Json,
                        out);
  if (!output.empty()) {
    write_file_atomically(output, file.str());
    return;
  }
  out.flush();
  if (!out) throw Error(ErrorKind::Io, "writing the export failed", "stdout");
}

void run_failed(const CommonOptions& o) {
  auto store = open_store(o);
  const auto last = store.last_complete_run();
  const auto failed = history::failed_in_last_complete_run(store);
  if (o.format == "json") {
    json tests = json::array();
    for (const auto& [file, test] : failed) tests.push_back({{"file", file}, {"test", test}});
    return print_json({{"run", last ? json(last->id) : json(nullptr)}, {"tests", tests}});
  }
  if (!last) {
    fmt::print("no complete run recorded in {}\n", o.db);
    return;
  }
  fmt::print("{} test(s) failed in run {} (the last complete run, {})\n", failed.size(), last->id,
             format_time(last->started_ns));
  for (const auto& [file, test] : failed) fmt::print("  {:<32} {}\n", test, file);
}

void run_predict(const CommonOptions& o, const history::PredictOptions& options,
                 std::size_t limit) {
  auto store = open_store(o);
  auto report = history::predict_failures(store, options);
  if (limit && report.tests.size() > limit) report.tests.resize(limit);
  if (o.format == "json") {
    json tests = json::array();
    for (const auto& p : report.tests) {
      tests.push_back({{"file", p.file},
                       {"test", p.test},
                       {"probability", p.probability},
                       {"effective_runs", p.effective_runs},
                       {"runs", p.runs},
                       {"failures", p.failures}});
    }
    return print_json({{"method", "recency-weighted Beta-smoothed failure rate"},
                       {"half_life_runs", options.half_life_runs},
                       {"prior_strength", options.prior_strength},
                       {"window", options.window},
                       {"base_rate", report.base_rate},
                       {"tests", tests}});
  }
  if (report.tests.empty()) {
    fmt::print("no outcomes recorded in {}\n", o.db);
    return;
  }
  fmt::print(
      "P(fail next run) = (s*base + sum w_i*f_i) / (s + sum w_i), w_i = 0.5^(age_i/{}), s = {}, "
      "last {} runs\n",
      options.half_life_runs, options.prior_strength, options.window);
  fmt::print("suite-wide failure rate (prior mean): {:.1f}%\n\n", report.base_rate * 100);
  fmt::print("{:<32} {:>8} {:>10} {:>10}  {}\n", "test", "P(fail)", "failed", "evidence", "file");
  for (const auto& p : report.tests) {
    fmt::print("{:<32} {:>7.1f}% {:>4}/{:<5} {:>9.1f}  {}\n", p.test, p.probability * 100,
               p.failures, p.runs, p.effective_runs, p.file);
  }
}

// The snapshot every shard of a CI run splits by (include/clnrm/timing_snapshot.h).
// No history yet (a pipeline's first run, an empty cache) is an empty
// snapshot, not an error: the shards then split by test count.
void run_timings(const CommonOptions& o, const std::string& output) {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  history::TimingSnapshot snapshot;
  if (history::history_exists(o.db)) {
    auto store = open_store(o);
    snapshot = history::take_timing_snapshot(store, now);
  } else {
    snapshot.taken_at = format_utc(now, UtcStyle::Rfc3339);
    std::fprintf(stderr,
                 "clnrm: no history at %s: the snapshot lists no test (shards will split by "
                 "test count)\n",
                 o.db.c_str());
  }
  const std::string text = history::timing_snapshot_json(snapshot);
  if (!output.empty()) return write_file_atomically(output, text);
  std::cout << text;
  std::cout.flush();
  if (!std::cout) throw Error(ErrorKind::Io, "writing the timing snapshot failed", "stdout");
}

}  // namespace

void add_history_command(CLI::App& app, CliContext& ctx) {
  auto* history_cmd = app.add_subcommand("history", "Analyse the run history (.clnrm/history.db)");
  history_cmd->require_subcommand(1);

  // The parsed values live as long as the app: every callback holds the state.
  struct State {
    CommonOptions runs_o, flaky_o, slowest_o, trend_o, export_o, predict_o;
    std::size_t runs_limit = 20, slowest_limit = 20, trend_limit = 200, predict_limit = 0;
    bool slowest_steps = false;
    std::string trend_test, export_output;
    std::int64_t export_run = 0;
    history::PredictOptions predict_options;
    CommonOptions failed_o, timings_o;
    std::string timings_output;
  };
  auto st = std::make_shared<State>();

  auto* runs = history_cmd->add_subcommand(
      "runs", "List recorded runs, newest first (incomplete ones are marked)");
  add_common(runs, st->runs_o, {"human", "json"});
  runs->add_option("-n,--limit", st->runs_limit, "How many runs")->capture_default_str();
  runs->callback([&ctx, st] {
    run_runs(st->runs_o, st->runs_limit);
    ctx.exit_code = 0;
  });

  auto* failed = history_cmd->add_subcommand(
      "failed",
      "Tests that failed in the last complete run (what `clnrm run --rerun-failed` selects)");
  add_common(failed, st->failed_o, {"human", "json"});
  failed->callback([&ctx, st] {
    run_failed(st->failed_o);
    ctx.exit_code = 0;
  });

  auto* timings = history_cmd->add_subcommand(
      "timings",
      "Write a timing snapshot (JSON) for `clnrm run --shard K/N --timings FILE`: each test's "
      "median duration over its last 20 passing runs");
  timings->footer(
      "Every shard of a CI run must get the same snapshot: take it once, in a job before the\n"
      "shards, and hand each shard that file (an artifact). Tests not in it count as its\n"
      "median. A DB that does not exist gives a snapshot with no test (split by count).\n"
      "docs/running-tests.md, \"Sharding across CI machines\": GitHub Actions and GitLab recipes.");
  timings->add_option("--db", st->timings_o.db, "History database")->capture_default_str();
  timings->add_option("-o,--output", st->timings_output,
                      "Write to this file (atomically) instead of stdout");
  timings->callback([&ctx, st] {
    run_timings(st->timings_o, st->timings_output);
    ctx.exit_code = 0;
  });

  auto* flaky = history_cmd->add_subcommand(
      "flaky", "Tests whose outcome flips while their file is unchanged; broken ones apart");
  flaky->footer(
      "Flaky: the outcome flipped at least twice between consecutive runs while the file's\n"
      "content hash stayed the same (one flip is a regression or a fix), or the test passed only\n"
      "after a retry. Flip rate = flips / consecutive pairs of runs with the same hash.\n"
      "Broken: not flaky, and failed its last two or more runs in a row; listed apart.\n"
      "Skipped and cancelled runs do not count.");
  add_common(flaky, st->flaky_o, {"human", "json"});
  flaky->callback([&ctx, st] {
    run_flaky(st->flaky_o);
    ctx.exit_code = 0;
  });

  auto* slowest = history_cmd->add_subcommand("slowest",
                                              "Tests (or steps) by median duration, with p95 "
                                              "(nearest rank) and max; skipped/cancelled excluded");
  add_common(slowest, st->slowest_o, {"human", "json"});
  slowest->add_option("-n,--limit", st->slowest_limit, "How many (0 = all)")->capture_default_str();
  slowest->add_flag("--steps", st->slowest_steps, "Per step instead of per test");
  slowest->callback([&ctx, st] {
    run_slowest(st->slowest_o, st->slowest_limit, st->slowest_steps);
    ctx.exit_code = 0;
  });

  auto* trend = history_cmd->add_subcommand(
      "trend", "Durations of one test over runs, and where it got slower or faster");
  trend->footer(
      "Change point: every split of the series into two segments of >= 3 runs is tested with a\n"
      "two-sided Mann-Whitney U test; the most significant split is reported when its p-value\n"
      "times the number of candidate splits (Bonferroni) is < 0.01 and the segment medians differ\n"
      "by >= 1.2x. Ranks keep a single slow run from looking like a regression.");
  add_common(trend, st->trend_o, {"human", "json"});
  trend->add_option("test", st->trend_test, "Test name, or FILE::NAME")->required();
  trend->add_option("-n,--limit", st->trend_limit, "Latest runs to consider")
      ->capture_default_str();
  trend->callback([&ctx, st] {
    run_trend(st->trend_o, st->trend_test, st->trend_limit);
    ctx.exit_code = 0;
  });

  auto* exp =
      history_cmd->add_subcommand("export", "Every stored execution (test rows have step \"\")");
  st->export_o.format = "json";
  add_common(exp, st->export_o, {"json", "csv"});
  exp->add_option("--run", st->export_run, "Only this run id (0 = all)")->capture_default_str();
  exp->add_option("-o,--output", st->export_output, "Write to this file instead of stdout");
  exp->callback([&ctx, st] {
    run_export(st->export_o, st->export_run, st->export_output);
    ctx.exit_code = 0;
  });

  auto* predict = history_cmd->add_subcommand(
      "predict", "Probability that each test fails on its next run (method: see --help)");
  predict->footer(
      "Method: an exponentially recency-weighted failure rate smoothed by a Beta prior:\n"
      "  P = (s*base + sum_i w_i*f_i) / (s + sum_i w_i),  w_i = 0.5^(age_i / half_life)\n"
      "f_i = 1 if run i failed (failed/error/timed_out); age 0 = the test's latest run; over its\n"
      "last --window runs. base = the failure rate of all tests over the same windows (the "
      "prior's\n"
      "mean), s = --prior-strength pseudo-runs. 'evidence' is sum_i w_i. Skipped and cancelled\n"
      "runs are not outcomes.");
  add_common(predict, st->predict_o, {"human", "json"});
  predict
      ->add_option("--half-life", st->predict_options.half_life_runs,
                   "Runs after which a run's weight halves")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  predict
      ->add_option("--prior-strength", st->predict_options.prior_strength,
                   "Prior weight s, in runs")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  predict->add_option("--window", st->predict_options.window, "Latest runs per test that count")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  predict->add_option("-n,--limit", st->predict_limit, "How many tests (0 = all)")
      ->capture_default_str();
  predict->callback([&ctx, st] {
    run_predict(st->predict_o, st->predict_options, st->predict_limit);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
