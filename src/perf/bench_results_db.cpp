// The bench-history database: every recorded result set with its samples,
// so trends and change points can be drawn over commits.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <chrono>
#include <map>
#include <memory>

#include "base/sqlite.h"
#include "base/utc_time.h"

namespace clnrm::perf {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS bench_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at TEXT NOT NULL,
  commit_sha  TEXT NOT NULL,
  platform    TEXT NOT NULL,
  metric      TEXT NOT NULL,
  source      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bench_samples (
  run_id     INTEGER NOT NULL REFERENCES bench_runs(id) ON DELETE CASCADE,
  benchmark  TEXT NOT NULL,
  repetition INTEGER NOT NULL,
  value      REAL NOT NULL,
  PRIMARY KEY (run_id, benchmark, repetition)
);
CREATE INDEX IF NOT EXISTS bench_runs_by_metric ON bench_runs(metric, platform, id);
)";

std::string utc_now() { return format_utc(std::chrono::system_clock::now(), UtcStyle::Rfc3339); }

}  // namespace

struct BenchResultsDb::Impl {
  explicit Impl(const std::string& path) : conn(path, false, 5000, "the bench history") {}
  sql::Connection conn;
};

BenchResultsDb::BenchResultsDb(const std::string& path) {
  auto impl = std::make_unique<Impl>(path);
  impl->conn.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
  impl->conn.exec(kSchema);
  impl_ = impl.release();
}

BenchResultsDb::~BenchResultsDb() { delete impl_; }

std::int64_t BenchResultsDb::record(const BenchmarkResults& results, Metric metric, const std::string& commit,
                                  const std::string& platform) {
  auto& conn = impl_->conn;
  std::int64_t run_id = 0;
  // No retry when the write lock stays busy past the busy timeout: `bench
  // record` is one short write, run by hand or by CI, not by parallel lanes.
  conn.transaction(
      [&] {
        sql::Statement run(conn.handle(),
                           "INSERT INTO bench_runs(recorded_at, commit_sha, platform, metric, source) "
                           "VALUES(?,?,?,?,?)",
                           conn.path());
        run.bind(1, utc_now()).bind(2, commit).bind(3, platform).bind(4, to_string(metric)).bind(5, results.source);
        run.run();
        run_id = conn.last_insert_rowid();
        sql::Statement sample(conn.handle(),
                              "INSERT INTO bench_samples(run_id, benchmark, repetition, value) VALUES(?,?,?,?)",
                              conn.path());
        for (const auto& b : results.benchmarks) {
          for (std::size_t i = 0; i < b.values.size(); ++i) {
            sample.bind(1, run_id).bind(2, b.name).bind(3, static_cast<std::int64_t>(i)).bind(4, b.values[i]);
            sample.run();
          }
        }
      },
      /*retries=*/0);
  return run_id;
}

std::vector<RecordedBenchRun> BenchResultsDb::runs(Metric metric, const std::string& platform) const {
  auto& conn = impl_->conn;
  std::vector<RecordedBenchRun> runs;
  std::map<std::int64_t, std::size_t> index;
  const std::string metric_name(to_string(metric));
  sql::Statement q(conn.handle(),
                   "SELECT id, recorded_at, commit_sha, platform, source FROM bench_runs "
                   "WHERE metric = ?1 AND (?2 = '' OR platform = ?2) ORDER BY id",
                   conn.path());
  q.bind(1, metric_name).bind(2, platform);
  while (q.step()) {
    RecordedBenchRun run;
    run.id = q.int64(0);
    run.recorded_at = q.text(1);
    run.commit = q.text(2);
    run.platform = q.text(3);
    run.results.source = q.text(4);
    run.metric = metric_name;
    index[run.id] = runs.size();
    runs.push_back(std::move(run));
  }
  sql::Statement samples(conn.handle(),
                         "SELECT s.run_id, s.benchmark, s.value FROM bench_samples s JOIN bench_runs r ON "
                         "r.id = s.run_id WHERE r.metric = ?1 AND (?2 = '' OR r.platform = ?2) "
                         "ORDER BY s.run_id, s.rowid",
                         conn.path());
  samples.bind(1, metric_name).bind(2, platform);
  while (samples.step()) {
    auto it = index.find(samples.int64(0));
    if (it == index.end()) continue;
    auto& results = runs[it->second].results;
    std::string name = samples.text(1);
    if (results.benchmarks.empty() || results.benchmarks.back().name != name) {
      results.benchmarks.push_back(BenchmarkSamples{std::move(name), {}, false, {}});
    }
    results.benchmarks.back().values.push_back(samples.real(2));
  }
  return runs;
}

}  // namespace clnrm::perf
