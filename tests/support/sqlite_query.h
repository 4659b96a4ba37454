#pragma once
// One integer from an SQLite database, read with SQLite itself (not clnrm's
// own layer), the way another tool would see the history clnrm wrote once
// a clnrm reader (here history::Store) folded the runs waiting in its inbox
// (src/history/inbox.h).
#include <clnrm/history.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace clnrm::testing {

// The first column of the first row of `sql`; -1 and a test failure when
// the database cannot be opened or the query gives no row.
inline std::int64_t query_int(const std::string& db, const char* sql) {
  if (history::history_exists(db)) history::Store fold(db);
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    ADD_FAILURE() << "cannot open " << db;
    return -1;
  }
  sqlite3_stmt* stmt = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(handle, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    value = sqlite3_column_int64(stmt, 0);
  else
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(handle);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return value;
}

}  // namespace clnrm::testing
