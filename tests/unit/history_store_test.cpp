#include <clnrm/error.h>
#include <clnrm/history.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "support/history_fixtures.h"
#include "support/sync_counting_vfs.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::record_run;
using clnrm::testing::TempDir;

namespace {

// Raw SQLite access, to look at the DB the way another tool would.
struct RawDb {
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
  }
  ~RawDb() { sqlite3_close(db); }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  long long number(const std::string& sql) { return std::stoll(text(sql)); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(m);
    }
  }
  sqlite3* db = nullptr;
};

// Waits for a child and returns its exit status (or 128+signal).
int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// Kills the child on scope exit if the test fails before reaping it.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Child body: writes `runs` runs of `tests` tests each, flushing every few rows.
// Exits 0 when every run was finished, 1 on any error.
// With hang_after_notify it stops in the middle of its first run (killed there);
// otherwise it keeps writing and is killed at a random point.
[[noreturn]] void writer_child(const std::string& db, int runs, int tests, int notify_fd = -1,
                               bool hang_after_notify = false) {
  try {
    history::StoreOptions options;
    options.batch_rows = 7;  // many small transactions: maximum interleaving
    history::Store store(db, options);
    for (int r = 0; r < runs; ++r) {
      const auto run = store.begin_run(
          history::collect_run_meta("null", "writer " + std::to_string(::getpid())));
      RunResult result;
      for (int t = 0; t < tests; ++t) {
        result.tests.push_back(make_test("t" + std::to_string(t), Status::Passed,
                                         std::chrono::milliseconds(5 + t), "h", 2));
        store.record_test(run, result.tests.back());
        if (notify_fd >= 0 && r == 0 && t == tests / 2) {
          store.flush();
          char c = 'x';
          if (::write(notify_fd, &c, 1) != 1) ::_exit(3);
          while (hang_after_notify) ::pause();
        }
      }
      store.finish_run(run, result);
    }
    ::_exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer %d: %s\n", ::getpid(), e.what());
    ::_exit(1);
  }
}

}  // namespace

TEST(HistoryStore, FreshDatabaseIsWalWithCurrentSchema) {
  TempDir dir;
  const auto path = dir.file("sub/dir/history.db");  // parent directories are created
  { history::Store store(path); }
  // The log stays for the next run (no checkpoint at every runner's exit).
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  RawDb raw(path);
  EXPECT_EQ(raw.number("PRAGMA user_version"), history::schema_version());
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.number("SELECT count(*) FROM sqlite_master WHERE name = 'executions_by_run'"), 1);
}

// The log is kept between runs, and each runner's first open re-reads all
// of it (WAL recovery), so it must stay small: checkpointed every 100 pages,
// not SQLite's default 1000 (~4 MB, read by every run).
TEST(HistoryStore, TheKeptLogStaysSmallOverManyRuns) {
  TempDir dir;
  const auto path = dir.file("history.db");
  for (int i = 0; i < 300; ++i) {
    history::Store store(path);  // one runner after another, as `clnrm run` does
    record_run(store, {make_test("a", Status::Passed, std::chrono::milliseconds(10)),
                       make_test("b", Status::Failed, std::chrono::milliseconds(20))});
  }
  ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
  // 100 pages of frames (4 KiB + 24 bytes each) plus two runs' pages (the
  // run that fills the log leaves its checkpoint to the next).
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 128u * (4096 + 24) + 32);
  history::Store store(path);
  EXPECT_EQ(store.runs(1000).size(), 300u);
}

// A checkpoint syncs the log and the database, and only the checkpointing
// connection's next write restarts the log. A runner's last commit leaves
// the checkpoint to the next runner's first, whose second commit then
// restarts the log: each frame is copied and synced once, where a runner
// that checkpointed at its last commit made the next one (whose recovery
// cannot tell the frames were copied) copy and sync them all again.
TEST(HistoryStore, EachCheckpointIsOneRunsFourSyncs) {
  TempDir dir;
  const auto path = dir.file("history.db");
  clnrm::testing::SyncCountingVfs vfs;
  std::vector<int> database_syncs, log_syncs;
  for (int i = 0; i < 120; ++i) {
    vfs.reset();
    {
      history::Store store(path);  // one runner after another, as `clnrm run` does
      record_run(store, {make_test("a", Status::Passed, std::chrono::milliseconds(10))});
    }
    database_syncs.push_back(vfs.syncs("history.db"));
    log_syncs.push_back(vfs.syncs("history.db-wal"));
  }
  int checkpoints = 0;
  for (std::size_t i = 1; i < database_syncs.size(); ++i) {  // run 0 created the DB
    if (database_syncs[i] == 0) {
      EXPECT_EQ(log_syncs[i], 0) << "run " << i;
      continue;
    }
    ++checkpoints;
    EXPECT_EQ(database_syncs[i], 1) << "run " << i;
    EXPECT_EQ(log_syncs[i], 2) << "run " << i << ": before the copy, and the restart";
    EXPECT_EQ(database_syncs[i - 1], 0) << "runs " << i - 1 << " and " << i << " both checkpointed";
  }
  EXPECT_GE(checkpoints, 2);
}

TEST(HistoryStore, DefaultPathIsUnderDotClnrm) {
  EXPECT_EQ(history::default_path(), ".clnrm/history.db");
}

TEST(HistoryStore, MigratesAVersionOneDatabaseKeepingItsRows) {
  TempDir dir;
  const auto path = dir.file("old.db");
  {
    RawDb raw(path);
    raw.exec(history::schema_migration_sql(1));
    raw.exec("PRAGMA user_version = 1");
    raw.exec("INSERT INTO runs (id, started_ns, complete) VALUES (7, 1000, 1)");
    raw.exec(
        "INSERT INTO executions (run_id, file, test, status, duration_ns) VALUES (7, 'a.toml', "
        "'a', 'passed', 42)");
  }
  history::Store store(path);
  RawDb raw(path);
  EXPECT_EQ(raw.number("PRAGMA user_version"), history::schema_version());
  EXPECT_EQ(raw.number("SELECT duration_ns FROM executions WHERE test = 'a'"), 42);
  EXPECT_EQ(raw.number("SELECT worker FROM executions WHERE test = 'a'"),
            0);  // added by migration 2
  auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, 7);
  EXPECT_EQ(runs[0].tests, 1);
}

TEST(HistoryStore, RefusesADatabaseFromANewerClnrm) {
  TempDir dir;
  const auto path = dir.file("new.db");
  {
    RawDb raw(path);
    raw.exec("PRAGMA user_version = 99");
  }
  try {
    history::Store store(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos);
    EXPECT_EQ(e.context(), path);
  }
}

TEST(HistoryStore, UnwritableLocationIsAnIoErrorNamingThePath) {
  TempDir dir;
  { std::ofstream(dir.file("plainfile")) << "x"; }
  try {
    history::Store store(dir.file("plainfile/history.db"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(e.describe().find("plainfile"), std::string::npos);
  }
}

TEST(HistoryStore, ReadOnlyOpenOfAMissingDatabaseSaysHowToGetOne) {
  TempDir dir;
  history::StoreOptions options;
  options.read_only = true;
  try {
    history::Store store(dir.file("none.db"), options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("clnrm run"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));
}

TEST(HistoryStore, BeginRunIsVisibleAsIncompleteUntilFinished) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  auto meta = history::collect_run_meta("sandbox", "run -j2");
  meta.git_commit = "0123456789abcdef0123456789abcdef01234567";
  const auto run = store.begin_run(meta);
  {
    history::Store reader(dir.file("h.db"));
    auto runs = reader.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_FALSE(runs[0].complete);
    EXPECT_EQ(runs[0].backend, "sandbox");
    EXPECT_EQ(runs[0].options, "run -j2");
    EXPECT_EQ(runs[0].git_commit, meta.git_commit);
    EXPECT_FALSE(reader.last_complete_run().has_value());
  }
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(10)),
                  make_test("b", Status::Failed, std::chrono::milliseconds(20))};
  store.finish_run(run, result);
  auto last = store.last_complete_run();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, run);
  EXPECT_TRUE(last->complete);
  EXPECT_EQ(last->tests, 2);
  EXPECT_EQ(last->failed, 1);
  EXPECT_GT(last->finished_ns, 0);
}

TEST(HistoryStore, RecordTestBatchesAndFinishRunWritesTheRestOnce) {
  TempDir dir;
  history::StoreOptions options;
  options.batch_rows = 4;
  history::Store store(dir.file("h.db"), options);
  const auto run = store.begin_run(history::collect_run_meta("null", ""));
  RunResult result;
  for (int i = 0; i < 5; ++i) {
    result.tests.push_back(make_test("t" + std::to_string(i), Status::Passed,
                                     std::chrono::milliseconds(i + 1), "h", 2));
  }
  RawDb raw(dir.file("h.db"));
  store.record_test(run, result.tests[0]);  // 3 rows pending: below the batch size
  EXPECT_EQ(raw.number("SELECT count(*) FROM executions"), 0);
  store.record_test(run, result.tests[1]);  // 6 rows: flushed
  EXPECT_EQ(raw.number("SELECT count(*) FROM executions"), 6);
  store.record_test(run, result.tests[2]);
  // tests[3] and [4] are not recorded one by one: finish_run adds them.
  store.finish_run(run, result);
  EXPECT_EQ(raw.number("SELECT count(*) FROM executions WHERE step = ''"), 5);
  EXPECT_EQ(raw.number("SELECT count(*) FROM executions"), 15);
  EXPECT_EQ(raw.number("SELECT count(DISTINCT test) FROM executions"), 5);
  EXPECT_EQ(
      raw.text("SELECT step FROM executions WHERE test = 't4' AND step <> '' ORDER BY id LIMIT 1"),
      "step0");
  EXPECT_EQ(raw.number("SELECT cpu_user_us FROM executions WHERE test = 't4' AND step = ''"), 2001);
  EXPECT_EQ(raw.number("SELECT max_rss_kb FROM executions WHERE test = 't4' AND step = ''"), 2049);
  EXPECT_EQ(raw.text("SELECT exit_code IS NULL FROM executions WHERE test = 't4' AND step = ''"),
            "1");
}

TEST(HistoryStore, RecordsRetriesFailureHashAndContainers) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  auto t = make_test("svc", Status::Failed, std::chrono::milliseconds(30));
  t.attempts = 3;
  t.services.resize(2);
  t.services[1].reused = true;
  record_run(store, {t});
  RawDb raw(dir.file("h.db"));
  EXPECT_EQ(raw.number("SELECT attempts FROM executions WHERE step = ''"), 3);
  EXPECT_EQ(raw.number("SELECT containers_created FROM executions WHERE step = ''"), 1);
  EXPECT_EQ(raw.number("SELECT containers_reused FROM executions WHERE step = ''"), 1);
  EXPECT_EQ(raw.text("SELECT failure_hash FROM executions WHERE step = ''"),
            history::failure_message_hash(t.message));
}

TEST(HistoryStore, FailureHashIgnoresNumbers) {
  EXPECT_EQ(history::failure_message_hash("timed out after 31ms on port 4000"),
            history::failure_message_hash("timed out after 5ms on port 4123"));
  EXPECT_NE(history::failure_message_hash("exit code 1"),
            history::failure_message_hash("output mismatch"));
  EXPECT_EQ(history::failure_message_hash(""), "");
  EXPECT_EQ(history::failure_message_hash("x").size(), 16u);
  // Only the first line: the output tail under it varies between runs.
  EXPECT_EQ(history::failure_message_hash("step 's' exited 1\n  | at 0xab"),
            history::failure_message_hash("step 's' exited 1\n  | at 0xcd"));
}

TEST(HistoryStore, SigkilledWriterLeavesAReadableDatabaseWithThePartialRunMarked) {
  TempDir dir;
  const auto path = dir.file("h.db");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ChildGuard child;
  child.pid = ::fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    ::close(fds[0]);
    writer_child(path, 1, 40, fds[1], /*hang_after_notify=*/true);
  }
  ::close(fds[1]);
  char c;
  ASSERT_EQ(::read(fds[0], &c, 1), 1) << "writer died before writing";
  ::close(fds[0]);
  ::kill(child.pid, SIGKILL);
  EXPECT_EQ(wait_child(child.pid), 128 + SIGKILL);
  child.pid = -1;

  history::Store store(path);
  EXPECT_EQ(store.health_check(/*full=*/true), "ok");
  auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs.front().complete) << "the run in progress when killed must stay incomplete";
  EXPECT_EQ(runs.front().tests, 21) << "what was flushed before the kill is readable";
  EXPECT_FALSE(store.last_complete_run().has_value());
}

TEST(HistoryStore, TwoProcessesWritingAtOnceBothComplete) {
  TempDir dir;
  const auto path = dir.file("h.db");
  ChildGuard a, b;
  a.pid = ::fork();
  ASSERT_GE(a.pid, 0);
  if (a.pid == 0) writer_child(path, 15, 30);
  b.pid = ::fork();
  ASSERT_GE(b.pid, 0);
  if (b.pid == 0) writer_child(path, 15, 30);
  EXPECT_EQ(wait_child(a.pid), 0);
  a.pid = -1;
  EXPECT_EQ(wait_child(b.pid), 0);
  b.pid = -1;

  history::Store store(path);
  EXPECT_EQ(store.health_check(true), "ok");
  auto runs = store.runs(1000);
  ASSERT_EQ(runs.size(), 30u);
  for (const auto& r : runs) {
    EXPECT_TRUE(r.complete) << "run " << r.id;
    EXPECT_EQ(r.tests, 30) << "run " << r.id;
  }
}

TEST(HistoryStore, OneWriterKilledWhileAnotherWritesTheOtherCompletes) {
  TempDir dir;
  const auto path = dir.file("h.db");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ChildGuard victim, survivor;
  victim.pid = ::fork();
  ASSERT_GE(victim.pid, 0);
  if (victim.pid == 0) {
    ::close(fds[0]);
    writer_child(path, 1000000, 40, fds[1]);
  }
  ::close(fds[1]);
  char c;
  ASSERT_EQ(::read(fds[0], &c, 1), 1);
  ::close(fds[0]);
  survivor.pid = ::fork();
  ASSERT_GE(survivor.pid, 0);
  if (survivor.pid == 0) writer_child(path, 10, 40);
  ::usleep(30 * 1000);
  ::kill(victim.pid, SIGKILL);
  EXPECT_EQ(wait_child(victim.pid), 128 + SIGKILL);
  victim.pid = -1;
  EXPECT_EQ(wait_child(survivor.pid), 0);
  const pid_t survivor_pid = survivor.pid;
  survivor.pid = -1;

  history::Store store(path);
  EXPECT_EQ(store.health_check(true), "ok");
  int survivor_runs = 0;
  for (const auto& r : store.runs(100000)) {
    // Killed at a random point: whatever it left is consistent.
    if (r.complete) {
      EXPECT_EQ(r.tests, 40) << "run " << r.id;
    }
    if (r.options == "writer " + std::to_string(survivor_pid)) {
      ++survivor_runs;
      EXPECT_TRUE(r.complete);
      EXPECT_EQ(r.tests, 40);
    }
  }
  EXPECT_EQ(survivor_runs, 10);
}

TEST(HistoryRecorder, RecordsARunAndMarksItComplete) {
  TempDir dir;
  history::Recorder rec(dir.file("h.db"), history::collect_run_meta("null", ""));
  ASSERT_TRUE(rec.active()) << rec.warning();
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(3))};
  rec.record(result.tests[0]);
  rec.finish(result);
  EXPECT_EQ(rec.warning(), "");
  const history::Recorder::Recorded recorded = rec.open_recorded();
  ASSERT_NE(recorded.run_id, 0);
  history::Store store(dir.file("h.db"));
  auto last = store.last_complete_run();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, recorded.run_id);
  EXPECT_EQ(last->tests, 1);
}

TEST(HistoryRecorder, AnUnwritableLocationIsOneWarningNotAnException) {
  TempDir dir;
  { std::ofstream(dir.file("plainfile")) << "x"; }
  history::Recorder rec(dir.file("plainfile/history.db"), history::collect_run_meta("null", ""));
  EXPECT_FALSE(rec.active());
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(3))};
  rec.record(result.tests[0]);  // no-ops, no throw
  rec.finish(result);
  EXPECT_EQ(rec.warning().rfind("history not recorded: ", 0), 0u) << rec.warning();
  EXPECT_NE(rec.warning().find("plainfile"), std::string::npos);
}

TEST(HistoryRecorder, ADatabaseLockedByAnotherWriterNeitherStopsNorLosesTheRun) {
  // The run records into the inbox, never into the database: a writer
  // holding the database's lock for good cannot stop it. The run is folded
  // by the first open after the lock is gone.
  TempDir dir;
  const auto path = dir.file("h.db");
  { history::Store create(path); }
  history::StoreOptions options;
  options.busy_timeout_ms = 10;
  options.busy_retries = 0;
  RawDb locker(path);
  locker.exec("BEGIN IMMEDIATE");
  history::Recorder rec(path, history::collect_run_meta("null", ""), options);
  ASSERT_TRUE(rec.active()) << rec.warning();
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(3)),
                  make_test("b", Status::Failed, std::chrono::milliseconds(4))};
  rec.record(result.tests[0]);
  rec.finish(result);
  EXPECT_TRUE(rec.active());
  EXPECT_EQ(rec.warning(), "");
  // A writer cannot fold while the lock is held; the run stays in the inbox.
  try {
    history::Store writer(path, options);
    FAIL() << "folded into a database another writer holds locked";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("locked"), std::string::npos) << e.describe();
  }
  locker.exec("ROLLBACK");
  history::Store store(path);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].complete);
  EXPECT_EQ(runs[0].tests, 2);
  EXPECT_EQ(runs[0].failed, 1);
}

TEST(HistoryRecorder, AFullDiskIsAWarningAndLeavesAReadableDatabase) {
  // "Disk full" for real: a child process whose file size limit (RLIMIT_FSIZE)
  // stops the WAL from growing, so SQLite's writes fail with EFBIG.
  TempDir dir;
  const auto path = dir.file("h.db");
  ChildGuard child;
  child.pid = ::fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    history::StoreOptions options;
    options.batch_rows = 50;
    history::Recorder rec(path, history::collect_run_meta("null", "full disk"), options);
    if (!rec.active()) ::_exit(4);
    struct rlimit limit {};
    limit.rlim_cur = limit.rlim_max = 256 * 1024;
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(5);
    RunResult result;
    for (int i = 0; i < 5000 && rec.active(); ++i) {
      auto t =
          make_test("t" + std::to_string(i), Status::Failed, std::chrono::milliseconds(1), "h", 3);
      t.message = std::string(300, 'x');
      rec.record(t);
    }
    rec.finish(result);
    if (rec.active()) ::_exit(2);
    std::fprintf(stderr, "%s\n", rec.warning().c_str());
    ::_exit(rec.warning().find("history not recorded") == 0 ? 0 : 3);
  }
  EXPECT_EQ(wait_child(child.pid), 0) << "the recorder must turn the write failure into a warning";
  child.pid = -1;
  history::Store store(path);
  EXPECT_EQ(store.health_check(true), "ok");
  auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].complete);
  EXPECT_GT(runs[0].tests, 0);
}
