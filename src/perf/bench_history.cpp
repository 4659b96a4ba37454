// The bench-history database: every recorded result set with its samples,
// so trends and change points can be drawn over commits.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <map>

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

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
      throw Error(ErrorKind::Io, fmt::format("sqlite: {}", sqlite3_errmsg(db)), path);
  }
  ~Statement() { sqlite3_finalize(stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
};

}  // namespace

struct BenchHistory::Impl {
  sqlite3* db = nullptr;
  std::string path;
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      throw Error(ErrorKind::Io, "sqlite: " + message, path);
    }
  }
  void check(int rc, int expected) {
    if (rc != expected) throw Error(ErrorKind::Io, fmt::format("sqlite: {}", sqlite3_errmsg(db)), path);
  }
};

BenchHistory::BenchHistory(const std::string& path) : impl_(new Impl) {
  impl_->path = path;
  if (sqlite3_open_v2(path.c_str(), &impl_->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = impl_->db ? sqlite3_errmsg(impl_->db) : "out of memory";
    sqlite3_close(impl_->db);
    delete impl_;
    throw Error(ErrorKind::Io, "cannot open the bench history: " + message, path);
  }
  try {
    sqlite3_busy_timeout(impl_->db, 5000);
    impl_->exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
    impl_->exec(kSchema);
  } catch (...) {
    sqlite3_close(impl_->db);
    delete impl_;
    throw;
  }
}

BenchHistory::~BenchHistory() {
  sqlite3_close(impl_->db);
  delete impl_;
}

std::int64_t BenchHistory::record(const BenchmarkResults& results, Metric metric, const std::string& commit,
                                  const std::string& platform) {
  impl_->exec("BEGIN IMMEDIATE");
  try {
    std::int64_t run_id;
    {
      Statement s(impl_->db,
                  "INSERT INTO bench_runs(recorded_at, commit_sha, platform, metric, source) VALUES(?,?,?,?,?)",
                  impl_->path);
      const std::string now = utc_now();
      const std::string metric_name(to_string(metric));
      sqlite3_bind_text(s.stmt, 1, now.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.stmt, 2, commit.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.stmt, 3, platform.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.stmt, 4, metric_name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.stmt, 5, results.source.c_str(), -1, SQLITE_TRANSIENT);
      impl_->check(sqlite3_step(s.stmt), SQLITE_DONE);
      run_id = sqlite3_last_insert_rowid(impl_->db);
    }
    Statement s(impl_->db, "INSERT INTO bench_samples(run_id, benchmark, repetition, value) VALUES(?,?,?,?)",
                impl_->path);
    for (const auto& b : results.benchmarks) {
      for (std::size_t i = 0; i < b.values.size(); ++i) {
        sqlite3_reset(s.stmt);
        sqlite3_bind_int64(s.stmt, 1, run_id);
        sqlite3_bind_text(s.stmt, 2, b.name.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s.stmt, 3, static_cast<sqlite3_int64>(i));
        sqlite3_bind_double(s.stmt, 4, b.values[i]);
        impl_->check(sqlite3_step(s.stmt), SQLITE_DONE);
      }
    }
    impl_->exec("COMMIT");
    return run_id;
  } catch (...) {
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<HistoryRun> BenchHistory::runs(Metric metric, const std::string& platform) const {
  std::vector<HistoryRun> runs;
  std::map<std::int64_t, std::size_t> index;
  const std::string metric_name(to_string(metric));
  {
    Statement s(impl_->db,
                "SELECT id, recorded_at, commit_sha, platform, source FROM bench_runs "
                "WHERE metric = ?1 AND (?2 = '' OR platform = ?2) ORDER BY id",
                impl_->path);
    sqlite3_bind_text(s.stmt, 1, metric_name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.stmt, 2, platform.c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
      HistoryRun run;
      run.id = sqlite3_column_int64(s.stmt, 0);
      run.recorded_at = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 1));
      run.commit = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 2));
      run.platform = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 3));
      run.results.source = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 4));
      run.metric = metric_name;
      index[run.id] = runs.size();
      runs.push_back(std::move(run));
    }
    impl_->check(rc, SQLITE_DONE);
  }
  Statement s(impl_->db,
              "SELECT s.run_id, s.benchmark, s.value FROM bench_samples s JOIN bench_runs r ON r.id = s.run_id "
              "WHERE r.metric = ?1 AND (?2 = '' OR r.platform = ?2) ORDER BY s.run_id, s.rowid",
              impl_->path);
  sqlite3_bind_text(s.stmt, 1, metric_name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 2, platform.c_str(), -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    auto it = index.find(sqlite3_column_int64(s.stmt, 0));
    if (it == index.end()) continue;
    auto& results = runs[it->second].results;
    const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 1));
    if (results.benchmarks.empty() || results.benchmarks.back().name != name) {
      results.benchmarks.push_back(BenchmarkSamples{name, {}, false, {}});
    }
    results.benchmarks.back().values.push_back(sqlite3_column_double(s.stmt, 2));
  }
  impl_->check(rc, SQLITE_DONE);
  return runs;
}

}  // namespace clnrm::perf
