// The SQLite wrapper (src/base/sqlite.cpp) on a real database file.
#include "base/sqlite.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace clnrm::sql {
namespace {

TEST(Sqlite, LastInsertRowidFollowsInserts) {
  clnrm::testing::TempDir dir;
  Connection conn(dir.file("t.db"), false, 1000, "test database");
  conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  conn.exec("INSERT INTO t(v) VALUES('a')");
  EXPECT_EQ(conn.last_insert_rowid(), 1);
  conn.exec("INSERT INTO t(id, v) VALUES(41, 'b')");
  EXPECT_EQ(conn.last_insert_rowid(), 41);
  conn.exec("INSERT INTO t(v) VALUES('c')");
  EXPECT_EQ(conn.last_insert_rowid(), 42);
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM t"), 3);
}

}  // namespace
}  // namespace clnrm::sql
