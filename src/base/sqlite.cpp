#include "base/sqlite.h"

#include <clnrm/error.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace clnrm::sql {

namespace {
// Error raised inside a transaction body because the DB was busy: the
// transaction catches it and retries the whole body.
struct BusyError : Error {
  using Error::Error;
};
}  // namespace

bool is_busy(int rc) noexcept {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

void throw_sqlite(sqlite3* db, int rc, const std::string& what, const std::string& path) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (is_busy(rc)) throw BusyError(ErrorKind::Io, message, path);
  throw Error(ErrorKind::Io, message, path);
}

Statement::Statement(sqlite3* db, std::string_view sql, const std::string& path)
    : db_(db), path_(path) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK)
    throw_sqlite(db, rc, "preparing '" + std::string(sql.substr(0, 60)) + "'", path);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_static(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}
Statement& Statement::bind(int index, std::nullopt_t) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  throw_sqlite(db_, rc, "executing '" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "'", path_);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::text(int column) const { return std::string(text_view(column)); }
std::string_view Statement::text_view(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}
bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Connection::Connection(const std::string& path, bool read_only, int busy_timeout_ms,
                       std::string_view what)
    : path_(path) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open ";
    message.append(what).append(": ").append(db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorKind::Io, message, path);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::keep_write_ahead_log(int checkpoint_pages) {
  int on = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  checkpoint_pages_ = checkpoint_pages;
  // Replaces SQLite's automatic checkpoint (which is this hook's default).
  sqlite3_wal_hook(db_, &Connection::after_commit, this);
}

int Connection::after_commit(void* self, sqlite3* db, const char* name, int frames) {
  const auto* conn = static_cast<const Connection*>(self);
  if (!conn->last_commit_ && frames >= conn->checkpoint_pages_)
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;  // a checkpoint that could not finish is retried at the next commit
}

void Connection::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    // Built by append: GCC 12 -O3 warns (falsely, -Wrestrict) on "literal" + std::string.
    std::string what(1, '\'');
    what.append(sql, 0, 60).append("': ").append(message);
    if (is_busy(rc)) throw BusyError(ErrorKind::Io, what, path_);
    throw Error(ErrorKind::Io, what, path_);
  }
}

std::int64_t Connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::scalar(const std::string& sql) {
  Statement s(db_, sql, path_);
  return s.step() ? s.int64(0) : 0;
}

void Connection::transaction(const std::function<void()>& body, int retries, Commit commit) {
  for (int attempt = 0;; ++attempt) {
    try {
      exec("BEGIN IMMEDIATE");
      try {
        body();
        last_commit_ = commit == Commit::Last;
        exec("COMMIT");
        last_commit_ = false;
        return;
      } catch (...) {
        last_commit_ = false;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    } catch (const BusyError& e) {
      if (attempt >= retries) {
        throw Error(ErrorKind::Io,
                    std::string("database stayed locked after ") + std::to_string(retries + 1) +
                        " attempts: " + e.what(),
                    path_);
      }
      // Jittered exponential backoff on top of the busy timeout already waited.
      const auto base = std::chrono::milliseconds(20) * (1 << std::min(attempt, 6));
      // Jitter keeps two runners that collided from colliding again in lock-step.
      thread_local std::minstd_rand jitter_source{std::random_device{}()};
      const auto jitter = std::chrono::milliseconds(jitter_source() % 17);
      std::this_thread::sleep_for(base + jitter);
    }
  }
}

}  // namespace clnrm::sql
