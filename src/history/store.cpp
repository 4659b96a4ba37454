// The history store: opening (WAL, busy timeout, migrations) and the writes
// to `runs` and `executions`.
#include <clnrm/error.h>

#include <filesystem>
#include <set>
#include <thread>

#include "history/inbox.h"
#include "history/internal.h"

namespace clnrm::history {

namespace {

constexpr const char* kInsertExecution =
    "INSERT INTO executions (run_id, file, file_hash, test, step, status, started_ns, duration_ns, "
    "exit_code,"
    " cpu_user_us, cpu_sys_us, max_rss_kb, containers_created, containers_reused, attempts, flaky, "
    "worker,"
    " failure_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18)";

}  // namespace

void insert_execution_rows(sql::Connection& conn, std::int64_t run, std::span<const ExecutionRecord> rows) {
  // Prepared once per batch; binding and stepping is the per-row cost.
  sql::Statement insert(conn.handle(), kInsertExecution, conn.path());
  for (const auto& r : rows) {
    // The rows outlive each step: bind without copying the strings.
    insert.bind(1, run).bind_static(2, r.file).bind_static(3, r.file_hash).bind_static(4, r.test);
    insert.bind_static(5, r.step).bind_static(6, to_string(r.status));
    insert.bind(7, r.started_ns).bind(8, r.duration_ns);
    if (r.exit_code) {
      insert.bind(9, *r.exit_code);
    } else {
      insert.bind(9, std::nullopt);
    }
    insert.bind(10, r.cpu_user_us).bind(11, r.cpu_sys_us).bind(12, r.max_rss_kb);
    insert.bind(13, r.containers_created).bind(14, r.containers_reused).bind(15, r.attempts);
    insert.bind(16, r.flaky ? 1 : 0).bind(17, r.worker).bind_static(18, r.failure_hash);
    insert.run();
  }
}

std::int64_t insert_run_row(sql::Connection& conn, const RunMeta& meta, bool complete, std::int64_t finished_ns,
                            const std::string& inbox_token) {
  sql::Statement insert(conn.handle(),
                        "INSERT INTO runs (started_ns, host, git_commit, clnrm_version, backend, options, complete,"
                        " finished_ns, inbox_token) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        conn.path());
  insert.bind(1, to_unix_ns(meta.started)).bind(2, meta.host).bind(3, meta.git_commit);
  insert.bind(4, meta.clnrm_version).bind(5, meta.backend).bind(6, meta.options);
  insert.bind(7, complete ? 1 : 0).bind(8, finished_ns);
  if (inbox_token.empty()) {
    insert.bind(9, std::nullopt);
  } else {
    insert.bind(9, std::string_view(inbox_token));
  }
  insert.run();
  return conn.last_insert_rowid();
}

void complete_run_row(sql::Connection& conn, std::int64_t run, std::int64_t finished_ns, std::string_view backend) {
  sql::Statement update(conn.handle(),
                        "UPDATE runs SET finished_ns = ?2, complete = 1,"
                        " backend = CASE WHEN ?3 <> '' THEN ?3 ELSE backend END WHERE id = ?1",
                        conn.path());
  update.bind(1, run).bind(2, finished_ns).bind(3, backend);
  update.run();
}

std::vector<ExecutionRecord> rows_not_recorded(const RunResult& result, const std::vector<std::string>& recorded) {
  std::multiset<std::string> already(recorded.begin(), recorded.end());
  std::vector<ExecutionRecord> rows;
  for (const auto& t : result.tests) {
    auto it = already.find(recorded_test_key(t));
    if (it != already.end()) {
      already.erase(it);
      continue;
    }
    auto more = to_records(t);
    std::move(more.begin(), more.end(), std::back_inserter(rows));
  }
  return rows;
}

std::int64_t run_finished_ns(const RunResult& result) {
  if (result.started.time_since_epoch().count() == 0) return to_unix_ns(std::chrono::system_clock::now());
  return to_unix_ns(result.started) + result.duration.count();
}

std::string recorded_test_key(const TestResult& test) { return test.file + '\n' + test.name; }

namespace {

sql::Connection open_connection(const std::string& path, const StoreOptions& options) {
  if (options.read_only) {
    if (!history_exists(path)) {
      throw Error(ErrorKind::Io,
                  "no history database here yet (it is created by `clnrm run`; or pass --db PATH)",
                  path);
    }
  } else {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec)
      throw Error(ErrorKind::Io,
                  "cannot create directory for the history database: " + ec.message(),
                  parent.string());
  }
  return sql::Connection(path, false, options.busy_timeout_ms);
}

}  // namespace

Store::Impl::Impl(const std::string& path, const StoreOptions& opts)
    : options(opts), conn(open_connection(path, opts)) {
  // journal_mode needs a lock of its own; on a fresh DB two runners may race here.
  for (int attempt = 0;; ++attempt) {
    try {
      conn.exec("PRAGMA journal_mode = WAL");
      break;
    } catch (const Error&) {
      if (attempt >= options.busy_retries) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * (attempt + 1)));
    }
  }
  // NORMAL in WAL mode survives a crash of the process (a SIGKILLed runner);
  // only a power loss may drop the last commits, which history can afford.
  conn.exec("PRAGMA synchronous = NORMAL");
  // Every runner that opens the DB after the last one closed it re-reads
  // and checksums the whole log to rebuild its index (SQLite's WAL
  // recovery): with the default checkpoint at 1000 pages, 150 one-test runs
  // grew it to 3.8 MB and each run spent 5.2 M of its 7.9 M instructions
  // there (callgrind of `clnrm run --backend null`). At 100 pages (~400 KB)
  // the recovery stays small, and the checkpoint's four syncs come every ~17
  // runs (200 pages: half the syncs, 0.17 ms more CPU per run; docs/history.md).
  conn.keep_write_ahead_log(100);
  conn.exec("PRAGMA foreign_keys = ON");
  // The analytics scan the whole table: reading pages through a memory map
  // saves a copy per page (the map is address space, not memory).
  conn.exec("PRAGMA mmap_size = 1073741824");
  migrate(conn, options.busy_retries);
}

Store::Store(std::string path, StoreOptions options)
    : path_(std::move(path)), impl_(std::make_unique<Impl>(path_, options)) {
  pending_.reserve(options.batch_rows);
  // Runs recorded since the last fold become rows before anything reads.
  try {
    fold_inbox(*impl_, path_);
  } catch (const Error&) {
    // A reader still reads what the database has; the runs stay in the inbox.
    if (!options.read_only) throw;
  }
}

Store::~Store() {
  // A run abandoned by an exception keeps what it produced; the run row stays incomplete.
  try {
    flush();
  } catch (...) {
  }
}

std::int64_t Store::begin_run(const RunMeta& meta) {
  std::int64_t id = 0;
  auto& conn = impl_->conn;
  conn.transaction([&] { id = insert_run_row(conn, meta, false, 0, ""); }, impl_->options.busy_retries);
  recorded_.clear();
  return id;
}

void Store::record_test(std::int64_t run, const TestResult& test) {
  if (run != pending_run_ && !pending_.empty()) flush();
  pending_run_ = run;
  auto rows = to_records(test);
  std::move(rows.begin(), rows.end(), std::back_inserter(pending_));
  recorded_.push_back(recorded_test_key(test));
  if (pending_.size() >= impl_->options.batch_rows) flush();
}

void Store::flush() {
  if (pending_.empty()) return;
  insert_batch(pending_run_, pending_);
  pending_.clear();
}

void Store::insert_batch(std::int64_t run, std::span<const ExecutionRecord> rows) {
  auto& conn = impl_->conn;
  conn.transaction([&] { insert_execution_rows(conn, run, rows); }, impl_->options.busy_retries);
}

void Store::finish_run(std::int64_t run, const RunResult& result) {
  if (run != pending_run_ && !pending_.empty()) flush();
  // Tests the runner did not pass through record_test are recorded now.
  std::vector<ExecutionRecord> rows = std::move(pending_);
  pending_.clear();
  std::vector<ExecutionRecord> more = rows_not_recorded(result, recorded_);
  std::move(more.begin(), more.end(), std::back_inserter(rows));
  const std::int64_t finished = run_finished_ns(result);
  auto& conn = impl_->conn;
  try {
    conn.transaction(
        [&] {
          insert_execution_rows(conn, run, rows);
          complete_run_row(conn, run, finished, result.backend);
        },
        impl_->options.busy_retries, sql::Connection::Commit::Last);
  } catch (...) {
    // Keep the rows so a later flush() (or the destructor) can still write them.
    pending_ = std::move(rows);
    pending_run_ = run;
    recorded_.clear();
    throw;
  }
  recorded_.clear();
}

namespace {

// All runs newest first, or just run `only` when it is not 0.
std::vector<RunRow> read_runs(sql::Connection& conn, std::size_t limit, std::int64_t only) {
  sql::Statement q(
      conn.handle(),
      "SELECT r.id, r.started_ns, r.finished_ns, r.host, r.git_commit, r.clnrm_version, r.backend,"
      " r.options, r.complete,"
      " (SELECT count(*) FROM executions e WHERE e.run_id = r.id AND e.step = ''),"
      " (SELECT count(*) FROM executions e WHERE e.run_id = r.id AND e.step = ''"
      "   AND e.status IN ('failed', 'error', 'timed_out', 'cancelled'))"
      " FROM runs r WHERE (?2 = 0 OR r.id = ?2) ORDER BY r.id DESC LIMIT ?1",
      conn.path());
  q.bind(1, static_cast<std::int64_t>(limit)).bind(2, only);
  std::vector<RunRow> out;
  while (q.step()) {
    RunRow& r = out.emplace_back();
    r.id = q.int64(0);
    r.started_ns = q.int64(1);
    r.finished_ns = q.int64(2);
    r.host = q.text(3);
    r.git_commit = q.text(4);
    r.clnrm_version = q.text(5);
    r.backend = q.text(6);
    r.options = q.text(7);
    r.complete = q.int64(8) != 0;
    r.tests = q.int64(9);
    r.failed = q.int64(10);
  }
  return out;
}

}  // namespace

std::vector<RunRow> Store::runs(std::size_t limit) { return read_runs(impl_->conn, limit, 0); }

std::optional<RunRow> Store::last_complete_run() {
  const auto id = impl_->conn.scalar("SELECT coalesce(max(id), 0) FROM runs WHERE complete = 1");
  if (id == 0) return std::nullopt;
  auto rows = read_runs(impl_->conn, 1, id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::string Store::health_check(bool full) {
  auto& conn = impl_->conn;
  sql::Statement q(conn.handle(), full ? "PRAGMA integrity_check" : "PRAGMA quick_check",
                   conn.path());
  std::string out;
  while (q.step()) {
    if (!out.empty()) out += '\n';
    out += q.text(0);
  }
  return out;
}

}  // namespace clnrm::history
