#pragma once
// The history store: every run and every test/step execution, in SQLite (WAL)
// at .clnrm/history.db by default. The runner records through a Recorder,
// which appends to the store's inbox (src/history/inbox.h) without opening
// the database; opening a Store folds the inbox in. Read by `clnrm history
// ...`, the scheduler (--order history, --rerun-failed; `history timings`
// for --shard) and the HTML report. Store's begin_run / record_test /
// finish_run write directly (benchmarks, tests).
//
// Failure policy: every write failure (read-only directory, full disk, a DB
// that stays locked) throws clnrm::Error with kind Io and the DB path as
// context. History is a side channel: the runner is expected to catch it,
// print one warning and carry on with the run.

#include <clnrm/result.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace clnrm::history {

// ".clnrm/history.db" (relative to the working directory).
std::string default_path();

// True when the database at `db_path` or its inbox (runs not yet folded
// into it: Recorder) exists: there is history to read.
bool history_exists(const std::string& db_path);

// The current schema version (PRAGMA user_version after open()).
int schema_version() noexcept;
// The SQL of migration `version` (1-based), nullptr when out of range. For tests
// that build an old DB and check it is upgraded.
const char* schema_migration_sql(int version) noexcept;

struct RunMeta {
  SystemTime started{};
  std::string host;
  std::string git_commit;  // empty when not inside a git work tree
  std::string clnrm_version;
  std::string backend;
  std::string options;  // the command line / options, for humans
};

// Fills host (gethostname), git commit (`git rev-parse HEAD` in `dir`, empty
// when not a repo or git is missing), clnrm version and `started` = now.
RunMeta collect_run_meta(std::string backend, std::string options, const std::string& dir = ".");

// One row of `executions`: a test (step == "") or one of its steps.
struct ExecutionRecord {
  std::string file;
  std::string file_hash;
  std::string test;
  std::string step;  // "" for the test row
  Status status = Status::Skipped;
  std::int64_t started_ns = 0;  // since the Unix epoch
  std::int64_t duration_ns = 0;
  std::optional<int> exit_code;  // steps only
  std::int64_t cpu_user_us = 0;
  std::int64_t cpu_sys_us = 0;
  std::int64_t max_rss_kb = 0;
  int containers_created = 0;
  int containers_reused = 0;
  int attempts = 1;
  bool flaky = false;  // passed only after a retry
  int worker = 0;
  std::string failure_hash;  // "" when it did not fail
};

// The test row first, then one row per step, in order.
std::vector<ExecutionRecord> to_records(const TestResult& test);
// 16 hex digits; digits in the message are normalised so "took 31ms" and
// "took 35ms" group together. "" for an empty message.
std::string failure_message_hash(std::string_view message);

struct RunRow {
  std::int64_t id = 0;
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;  // 0 while incomplete
  std::string host, git_commit, clnrm_version, backend, options;
  bool complete = false;
  std::int64_t tests = 0, failed = 0;  // test rows recorded / failing ones
};

struct StoreOptions {
  bool read_only = false;        // analytics: the DB must exist (it is never created)
  int busy_timeout_ms = 5000;    // per statement (SQLite busy handler)
  int busy_retries = 8;          // then whole transactions are retried, with backoff
  std::size_t batch_rows = 500;  // record_test flushes once this many rows are pending
};

class Store {
 public:
  // Creates the parent directory and the DB when missing, sets WAL, migrates.
  // Throws Error(Io) when that is impossible, Error(Config) when the DB was
  // written by a newer clnrm.
  explicit Store(std::string path, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const noexcept { return path_; }

  // Inserts the run row at once (complete = 0) so a run killed later is still
  // visible as incomplete.
  std::int64_t begin_run(const RunMeta& meta);
  // Buffers the test's rows; they are written in batches (StoreOptions::batch_rows)
  // and at finish_run, so a normal run writes its executions in one transaction.
  void record_test(std::int64_t run, const TestResult& test);
  // Writes what is buffered now (e.g. before a long test).
  void flush();
  // Writes the rest, records tests not passed through record_test, sets
  // finished and complete = 1: one transaction.
  void finish_run(std::int64_t run, const RunResult& result);

  // One transaction with a prepared INSERT for all rows (also used by benchmarks).
  void insert_batch(std::int64_t run, std::span<const ExecutionRecord> rows);

  std::vector<RunRow> runs(std::size_t limit = 50);
  std::optional<RunRow> last_complete_run();
  // PRAGMA quick_check (or integrity_check when `full`): "ok" or the problems.
  std::string health_check(bool full = false);

  // For the analytics in the same module; not for other modules.
  struct Impl;
  Impl& impl() noexcept { return *impl_; }

 private:
  std::string path_;
  std::unique_ptr<Impl> impl_;
  std::vector<ExecutionRecord> pending_;
  std::int64_t pending_run_ = 0;
  std::vector<std::string> recorded_;  // "file\ntest" recorded via record_test in this run
};

class InboxRun;

// What the runner holds for a run. It records into the history inbox
// (src/history/inbox.h: a file beside the database the run appends its lines
// to, folded into the database by whoever opens it next), not into the
// database: opening that would cost a one-test run more than its
// cleanroom's namespaces. Never throws: the first Error disables recording
// for the rest of the run and is kept in warning() for the runner to print
// once ("history not recorded: ..."); the run's outcome does not depend on
// it.
class Recorder {
 public:
  // Begins the run in the inbox (creating the directory when missing).
  Recorder(const std::string& path, const RunMeta& meta, StoreOptions options = {}) noexcept;
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  void record(const TestResult& test) noexcept;
  // Records the tests not passed through record() and ends the run; when
  // the inbox has grown past kFoldAtBytes, folds it into the database.
  void finish(const RunResult& result) noexcept;
  bool active() const noexcept { return inbox_ != nullptr; }
  const std::string& warning() const noexcept { return warning_; }  // "" when all went well

  // After finish(): the database with this run in it, and the run's id
  // there (the HTML report's trends). Throws Error when the database cannot
  // be opened or written.
  struct Recorded {
    std::unique_ptr<Store> store;
    std::int64_t run_id = 0;
  };
  Recorded open_recorded();

 private:
  void fail(const std::exception& e) noexcept;
  std::string path_;
  StoreOptions options_;
  std::unique_ptr<InboxRun> inbox_;  // null once recording failed
  std::vector<std::string> recorded_;  // recorded_test_key of each test record() took
  bool finished_ = false;
  std::string warning_;
};

// ---- analytics (src/history/analytics_*.cpp) -------------------------------

struct FlakyTest {
  std::string file, test;
  std::int64_t runs = 0;  // outcomes considered (passed/failed/error/timed_out)
  std::int64_t failures = 0;
  std::int64_t flips = 0;  // outcome changes between consecutive runs with the same file hash
  std::int64_t retried_passes = 0;  // runs that passed only after a retry
  double flip_rate = 0;             // flips / comparable consecutive pairs
  std::int64_t last_seen_ns = 0;    // the last flip or retried pass
  std::int64_t last_run = 0;
};
struct BrokenTest {
  std::string file, test;
  std::int64_t consecutive_failures = 0;  // the latest runs, in a row
  std::int64_t since_run = 0;
  std::int64_t last_run = 0;
};
struct FlakyReport {
  // Flipped >= 2 times between consecutive runs with the same file hash (one
  // flip is a regression or a fix), or passed only after a retry.
  std::vector<FlakyTest> flaky;    // by flip rate, then flips
  std::vector<BrokenTest> broken;  // not flaky; failed its last >= 2 runs in a row
};
FlakyReport find_flaky(Store& store);

struct SlowTest {
  std::string file, test;
  std::int64_t samples = 0;
  std::int64_t median_ns = 0, p95_ns = 0, max_ns = 0;
};
// Passed and failed executions (not skipped/cancelled), slowest median first.
std::vector<SlowTest> find_slowest(Store& store, std::size_t limit = 20, bool steps = false);

struct TrendPoint {
  std::int64_t run = 0;
  std::int64_t started_ns = 0;
  std::int64_t duration_ns = 0;
  Status status = Status::Passed;
  std::string git_commit;
};
struct ChangePoint {
  bool found = false;
  std::size_t index = 0;  // first point of the second segment
  std::int64_t run = 0;
  std::string git_commit;
  double median_before_ns = 0, median_after_ns = 0;
  double ratio = 1;    // after / before
  double p_value = 1;  // Mann-Whitney U, two-sided, x number of candidate splits
};
// Durations of one test (matched by name, or "file::name"), oldest first, at most `limit` latest.
std::vector<TrendPoint> trend(Store& store, const std::string& test, std::size_t limit = 200);

struct ChangePointOptions {
  std::size_t min_segment = 3;  // points on each side of a split
  double alpha = 0.01;          // significance after Bonferroni correction
  double min_ratio = 1.2;       // ignore shifts smaller than 20%
};
// Two-segment split: the split whose two segments differ most by a two-sided
// Mann-Whitney U test; reported when that p-value, Bonferroni-corrected for
// the number of candidate splits, is below alpha and the ratio of the segment
// medians is at least min_ratio (or at most 1/min_ratio).
ChangePoint detect_change_point(const std::vector<TrendPoint>& points,
                                const ChangePointOptions& options = {});
ChangePoint detect_change_point(const std::vector<double>& values,
                                const ChangePointOptions& options = {});

struct PredictOptions {
  double half_life_runs = 5;  // weight of a run halves every this many runs back
  double prior_strength = 2;  // pseudo-runs at the suite-wide failure rate
  std::size_t window = 50;    // most recent runs per test that count
};
struct Prediction {
  std::string file, test;
  double probability = 0;               // of failing next run
  double effective_runs = 0;            // sum of weights: how much evidence there is
  std::int64_t runs = 0, failures = 0;  // in the window, unweighted
};
struct PredictReport {
  double base_rate = 0;           // prior mean: failures / outcomes over all tests in the windows
  std::vector<Prediction> tests;  // most likely to fail first
};
// p = (prior_strength * base_rate + sum w_i f_i) / (prior_strength + sum w_i),
// w_i = 0.5^(age_i / half_life), age 0 = the test's latest run: an exponentially
// recency-weighted failure rate, smoothed by a Beta prior centred on the suite's rate.
PredictReport predict_failures(Store& store, const PredictOptions& options = {});

// Median test durations keyed "file\ntest" (for the scheduler; see schedule.h).
struct HistoricalDuration {
  std::string file, test;
  std::int64_t median_ns = 0;
};
std::vector<HistoricalDuration> median_durations(Store& store);
// Tests whose status was a failure in the last complete run (--rerun-failed).
std::vector<std::pair<std::string, std::string>> failed_in_last_complete_run(Store& store);

// Every execution row (oldest first), with its run's commit and host, for
// `clnrm history export`. `run` = 0: all runs. Streams: constant memory.
struct ExportedExecution {
  std::int64_t id = 0, run = 0;
  bool run_complete = false;
  std::string git_commit, host;
  ExecutionRecord record;
};
void export_executions(Store& store, std::int64_t run,
                       const std::function<void(const ExportedExecution&)>& sink);

// The export as a document (`clnrm history export --format`).
enum class ExportFormat {
  Json,  // an array, one execution object per line
  Csv,   // RFC 4180: a header row, then one row per execution
};
// The CSV header row, ending in "\n".
std::string export_csv_header();
// One execution as a CSV row ending in "\n": times as RFC 3339 UTC, booleans
// 1/0, no exit code as an empty field; fields with , " or a line break quoted.
std::string export_csv_row(const ExportedExecution& execution);
// One execution as a JSON object on one line, the CSV's columns as keys
// (exit_code null when there is none).
std::string export_json_row(const ExportedExecution& execution);
// export_executions(store, run) written to `out` as one document in
// `format`, streamed (constant memory). The caller checks `out`.
void write_export(Store& store, std::int64_t run, ExportFormat format, std::ostream& out);

}  // namespace clnrm::history
