// The history inbox (src/history/inbox.h): runs recorded without opening the
// database, folded into it exactly once by whoever opens it next.
#include "history/inbox.h"

#include <clnrm/history.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::TempDir;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Segments a fold left beside the inbox.
std::size_t segments_left(const TempDir& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    n += e.path().filename().string().find("-inbox.fold-") != std::string::npos ? 1 : 0;
  return n;
}

void record_one_run(const std::string& db, int tests, const std::string& options = "") {
  history::Recorder rec(db, history::collect_run_meta("null", options));
  RunResult result;
  result.backend = "null";
  result.started = std::chrono::system_clock::now();
  for (int t = 0; t < tests; ++t) {
    result.tests.push_back(make_test("t" + std::to_string(t), t == 0 ? Status::Failed : Status::Passed,
                                     std::chrono::milliseconds(5 + t), "h", 2));
    rec.record(result.tests.back());
  }
  rec.finish(result);
  if (!rec.warning().empty()) throw std::runtime_error(rec.warning());
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(HistoryInbox, ARunWaitsInTheInboxUntilTheDatabaseIsOpened) {
  TempDir dir;
  const std::string db = dir.file("state/history.db");
  record_one_run(db, 3);
  EXPECT_FALSE(std::filesystem::exists(db)) << "the run opened the database";
  EXPECT_TRUE(std::filesystem::exists(history::inbox_path(db)));
  EXPECT_TRUE(history::history_exists(db));

  history::StoreOptions read_only;
  read_only.read_only = true;  // a reader: `clnrm history`, --order history
  history::Store store(db, read_only);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].complete);
  EXPECT_EQ(runs[0].tests, 3);
  EXPECT_EQ(runs[0].failed, 1);
  EXPECT_EQ(runs[0].backend, "null");
  EXPECT_GT(runs[0].finished_ns, runs[0].started_ns);
  EXPECT_FALSE(std::filesystem::exists(history::inbox_path(db)));
  EXPECT_EQ(segments_left(dir), 0u);
}

TEST(HistoryInbox, ARunStillGoingIsIncompleteUntilItsEndIsFolded) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  history::Recorder rec(db, history::collect_run_meta("null", ""));
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(3)),
                  make_test("b", Status::Passed, std::chrono::milliseconds(3))};
  rec.record(result.tests[0]);
  {
    history::Store store(db);
    const auto runs = store.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_FALSE(runs[0].complete);
    EXPECT_EQ(runs[0].tests, 1);
  }
  // The rest goes to a new inbox and completes the same run.
  rec.finish(result);
  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].complete);
  EXPECT_EQ(runs[0].tests, 2);
  const history::Recorder::Recorded recorded = rec.open_recorded();
  EXPECT_EQ(recorded.run_id, runs[0].id);
}

TEST(HistoryInbox, AKilledRunnerIsFoldedAsAnIncompleteRunWithTheTestsItRecorded) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    history::Recorder rec(db, history::collect_run_meta("null", "killed"));
    rec.record(make_test("a", Status::Passed, std::chrono::milliseconds(3)));
    rec.record(make_test("b", Status::Failed, std::chrono::milliseconds(3)));
    ::raise(SIGKILL);
    ::_exit(1);
  }
  ASSERT_EQ(wait_child(child), 128 + SIGKILL);
  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].complete);
  EXPECT_EQ(runs[0].tests, 2);
  EXPECT_EQ(runs[0].options, "killed");
}

TEST(HistoryInbox, ASegmentFoundAgainAfterItWasAppliedIsNotAppliedTwice) {
  // A folder that dies between its commit and deleting the segment leaves
  // it for the next one, which must recognise it.
  TempDir dir;
  const std::string db = dir.file("h.db");
  { history::Store create(db); }
  record_one_run(db, 2);
  const std::string text = read_file(history::inbox_path(db));
  { history::Store fold(db); }
  ASSERT_EQ(segments_left(dir), 0u);
  // The segment as the first fold named it: recover the name from the
  // table it was recorded in.
  std::string name;
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT name FROM inbox_segments", -1, &q, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    name = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(raw);
  }
  std::ofstream(dir.file(name), std::ios::binary) << text;
  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].tests, 2);
  EXPECT_EQ(segments_left(dir), 0u);
}

TEST(HistoryInbox, ALineCutOffIsSkippedAndTheNextRunsLinesAreKept) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  record_one_run(db, 2, "first");
  // As a full disk would leave the first run's last write: its end cut off.
  std::string text = read_file(history::inbox_path(db));
  const auto end = text.rfind("end\t");
  ASSERT_NE(end, std::string::npos);
  text.resize(end + 10);
  std::ofstream(history::inbox_path(db), std::ios::binary | std::ios::trunc) << text;
  record_one_run(db, 1, "second");

  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 2u);
  std::map<std::string, history::RunRow> by_options;
  for (const auto& r : runs) by_options[r.options] = r;
  EXPECT_FALSE(by_options["first"].complete) << "a cut-off end line counted";
  EXPECT_EQ(by_options["first"].tests, 2);
  EXPECT_TRUE(by_options["second"].complete);
  EXPECT_EQ(by_options["second"].tests, 1);
}

TEST(HistoryInbox, TheRunThatLeavesTheInboxLargeFoldsIt) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  int runs = 0;
  while (!std::filesystem::exists(db)) {
    ASSERT_LT(std::filesystem::exists(history::inbox_path(db)) ? std::filesystem::file_size(history::inbox_path(db)) : 0,
              history::kFoldAtBytes);
    record_one_run(db, 3);
    ++runs;
    ASSERT_LT(runs, 10000);
  }
  EXPECT_GT(runs, 1);
  EXPECT_FALSE(std::filesystem::exists(history::inbox_path(db)));
  history::Store store(db);
  EXPECT_EQ(store.runs(100000).size(), static_cast<std::size_t>(runs));
}

TEST(HistoryInbox, ManyRunnersAndFoldersAtOnceRecordEveryRunExactlyOnce) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  constexpr int kRunners = 3;
  constexpr int kRunsEach = 25;
  std::vector<pid_t> children;
  for (int c = 0; c < kRunners + 2; ++c) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      try {
        if (c < kRunners) {
          for (int r = 0; r < kRunsEach; ++r) record_one_run(db, 2, "runner " + std::to_string(c));
        } else {
          for (int f = 0; f < 15; ++f) {  // readers: each open folds
            history::Store store(db);
            ::usleep(2000);
          }
        }
        ::_exit(0);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", c, e.what());
        ::_exit(1);
      }
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) EXPECT_EQ(wait_child(pid), 0);
  history::Store store(db);
  const auto runs = store.runs(1000);
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kRunners * kRunsEach));
  std::map<std::string, int> per_runner;
  for (const auto& r : runs) {
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.tests, 2);
    ++per_runner[r.options];
  }
  for (int c = 0; c < kRunners; ++c) EXPECT_EQ(per_runner["runner " + std::to_string(c)], kRunsEach);
  EXPECT_EQ(segments_left(dir), 0u);
}
