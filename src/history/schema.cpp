// The schema of the history DB and its migrations. PRAGMA user_version holds
// the number of migrations applied; a migration is never edited once
// released, a change is a new entry at the end.
#include <clnrm/error.h>

#include <array>
#include <string>

#include "history/internal.h"

namespace clnrm::history {

namespace {

constexpr std::array<const char*, 3> kMigrations = {
    // 1: runs and executions.
    R"sql(
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  started_ns    INTEGER NOT NULL,
  finished_ns   INTEGER NOT NULL DEFAULT 0,
  host          TEXT NOT NULL DEFAULT '',
  git_commit    TEXT NOT NULL DEFAULT '',
  clnrm_version TEXT NOT NULL DEFAULT '',
  backend       TEXT NOT NULL DEFAULT '',
  options       TEXT NOT NULL DEFAULT '',
  complete      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE executions (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  file               TEXT NOT NULL,
  file_hash          TEXT NOT NULL DEFAULT '',
  test               TEXT NOT NULL,
  step               TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL,
  duration_ns        INTEGER NOT NULL DEFAULT 0,
  exit_code          INTEGER,
  cpu_user_us        INTEGER NOT NULL DEFAULT 0,
  cpu_sys_us         INTEGER NOT NULL DEFAULT 0,
  max_rss_kb         INTEGER NOT NULL DEFAULT 0,
  containers_created INTEGER NOT NULL DEFAULT 0,
  containers_reused  INTEGER NOT NULL DEFAULT 0,
  attempts           INTEGER NOT NULL DEFAULT 1,
  failure_hash       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX executions_by_run ON executions(run_id);
)sql",
    // 2: start time, lane and retried-pass flag. Deliberately no index for
    // the analytics: see history/test_rows.h.
    R"sql(
ALTER TABLE executions ADD COLUMN started_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN worker INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN flaky INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_complete ON runs(complete, id);
)sql",
    // 3: what folding the inbox (inbox.h) needs: the token that finds a run
    // begun in an earlier segment, and the segments applied already.
    R"sql(
ALTER TABLE runs ADD COLUMN inbox_token TEXT;
CREATE UNIQUE INDEX runs_by_inbox_token ON runs(inbox_token);
CREATE TABLE inbox_segments (name TEXT PRIMARY KEY) WITHOUT ROWID;
)sql",
};

}  // namespace

int schema_version() noexcept { return static_cast<int>(kMigrations.size()); }

const char* schema_migration_sql(int version) noexcept {
  if (version < 1 || version > schema_version()) return nullptr;
  return kMigrations[static_cast<std::size_t>(version - 1)];
}

void migrate(sql::Connection& conn, int retries) {
  auto check_newer = [&](std::int64_t v) {
    if (v > schema_version()) {
      throw Error(ErrorKind::Config,
                  "history database has schema version " + std::to_string(v) +
                      " but this clnrm knows up to " + std::to_string(schema_version()) +
                      "; use a newer clnrm or another --db path",
                  conn.path());
    }
  };
  const auto current = conn.scalar("PRAGMA user_version");
  check_newer(current);
  if (current == schema_version()) return;
  conn.transaction(
      [&] {
        // Re-read under the write lock: another runner may have migrated meanwhile.
        const auto v = conn.scalar("PRAGMA user_version");
        check_newer(v);
        for (auto next = v + 1; next <= schema_version(); ++next)
          conn.exec(kMigrations[static_cast<std::size_t>(next - 1)]);
        conn.exec("PRAGMA user_version = " + std::to_string(schema_version()));
      },
      retries);
}

}  // namespace clnrm::history
