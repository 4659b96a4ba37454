// The SQLite wrapper (src/base/sqlite.cpp) on a real database file.
#include "base/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

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

// keep_write_ahead_log: the log outlives the connection (closing neither
// checkpoints nor deletes it), and the next connection reads the rows from it.
TEST(Sqlite, AKeptWriteAheadLogHoldsTheCommitsAfterClose) {
  clnrm::testing::TempDir dir;
  const std::string db = dir.file("t.db");
  {
    Connection conn(db, false, 1000, "test database");
    conn.exec("PRAGMA journal_mode = WAL");
    conn.keep_write_ahead_log(1000);
    conn.exec("CREATE TABLE t(v TEXT)");
    conn.exec("INSERT INTO t(v) VALUES('a'), ('b')");
  }
  ASSERT_TRUE(std::filesystem::exists(db + "-wal"));
  EXPECT_GT(std::filesystem::file_size(db + "-wal"), 0u);
  Connection again(db, true, 1000, "test database");
  EXPECT_EQ(again.scalar("SELECT count(*) FROM t"), 2);
}

// Without it, SQLite's default: the last close checkpoints and removes the log.
TEST(Sqlite, WithoutKeepingTheLastCloseFoldsTheLogIntoTheDatabase) {
  clnrm::testing::TempDir dir;
  const std::string db = dir.file("t.db");
  {
    Connection conn(db, false, 1000, "test database");
    conn.exec("PRAGMA journal_mode = WAL");
    conn.exec("CREATE TABLE t(v TEXT)");
    conn.exec("INSERT INTO t(v) VALUES('a')");
  }
  EXPECT_FALSE(std::filesystem::exists(db + "-wal"));
}

}  // namespace
}  // namespace clnrm::sql
