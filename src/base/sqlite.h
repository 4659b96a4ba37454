#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements
// and a retrying transaction. SQL itself stays in the files that own each
// table or query. Every SQLite database of clnrm goes through it: the run
// history (src/history/) and the bench history (src/perf/bench_results_db.cpp).

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace clnrm::sql {

// Throws clnrm::Error(Io, "<what>: <sqlite message>", db path).
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& what,
                               const std::string& path);

bool is_busy(int rc) noexcept;

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql, const std::string& path);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::nullopt_t);
  // No copy: `value` must stay alive and unchanged until the statement is reset.
  Statement& bind_static(int index, std::string_view value);

  // True while there is a row; false when done. Throws on error (busy included).
  bool step();
  // step() until done, then reset for the next use.
  void run();
  void reset();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::string_view text_view(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string& path_;
};

class Connection {
 public:
  // `what` names the database in the error when it cannot be opened.
  Connection(const std::string& path, bool read_only, int busy_timeout_ms,
             std::string_view what = "history database");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }
  void exec(const std::string& sql);
  std::int64_t scalar(const std::string& sql);
  // The rowid of the last successful INSERT on this connection.
  std::int64_t last_insert_rowid() const noexcept;

  // For a WAL database written by many short processes (one `clnrm run`
  // each): the write-ahead log stays on disk when the last connection closes,
  // and closing does not checkpoint. Otherwise every process recreates the
  // log (a file and a directory sync) and checkpoints it at exit (two more),
  // which cost more than the run's own writes. The log is checkpointed after
  // a commit once it holds `checkpoint_pages` frames (PASSIVE, as SQLite's
  // automatic checkpoint), except by a commit marked Commit::Last.
  void keep_write_ahead_log(int checkpoint_pages);

  // Commit::Last: the connection writes nothing after this transaction, so
  // its commit does not checkpoint (keep_write_ahead_log). A checkpoint syncs
  // the log and the database, and only the checkpointing connection's next
  // write restarts the log (one more sync): the next process finds the log
  // still full, its recovery cannot tell the frames were copied, and it
  // copies and syncs them all again. The next process's first commit
  // checkpoints instead, and its next one restarts the log.
  enum class Commit { Normal, Last };

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write
  // lock up front, so the busy handler applies (a deferred transaction that
  // upgrades can fail with SQLITE_BUSY without waiting). When the lock stays
  // busy past the busy timeout, the whole transaction is rolled back and
  // retried with growing backoff, `retries` times, before giving up.
  void transaction(const std::function<void()>& body, int retries, Commit commit = Commit::Normal);

 private:
  static int after_commit(void* self, sqlite3* db, const char* name, int frames);

  std::string path_;
  sqlite3* db_ = nullptr;
  int checkpoint_pages_ = 0;  // keep_write_ahead_log's; 0: SQLite's own
  bool last_commit_ = false;  // inside a Commit::Last transaction
};

}  // namespace clnrm::sql
