// The history inbox (src/history/inbox.h): runs recorded without opening the
// database, folded into it exactly once by whoever opens it next.
#include "history/inbox.h"

#include <clnrm/history.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::TempDir;

namespace {

std::vector<std::string> inbox_files(const std::string& db, std::string_view suffix = ".run") {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(history::inbox_dir(db), ec))
    if (e.path().filename().string().ends_with(suffix)) out.push_back(e.path().string());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
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

// Records one run of two tests and returns its inbox file's path ("" and a
// test failure when there is not exactly one).
std::string one_recorded_run(const std::string& db) {
  record_one_run(db, 2);
  const auto files = inbox_files(db);
  EXPECT_EQ(files.size(), 1u);
  return files.size() == 1 ? files[0] : std::string();
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
  const std::string db = dir.file(".clnrm/history.db");
  record_one_run(db, 3);
  EXPECT_FALSE(std::filesystem::exists(db)) << "the run opened the database";
  ASSERT_EQ(inbox_files(db).size(), 1u);
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
  EXPECT_TRUE(inbox_files(db).empty());
}

TEST(HistoryInbox, ARunStillRunningIsNotFoldedUntilItEnds) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  history::Recorder rec(db, history::collect_run_meta("null", ""));
  RunResult result;
  result.tests = {make_test("a", Status::Passed, std::chrono::milliseconds(3))};
  rec.record(result.tests[0]);
  {
    history::Store store(db);
    EXPECT_TRUE(store.runs().empty()) << "a run in progress was folded";
  }
  ASSERT_EQ(inbox_files(db).size(), 1u);
  rec.finish(result);
  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].complete);
  EXPECT_EQ(runs[0].tests, 1);
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

TEST(HistoryInbox, ARunFoundAgainAfterItWasFoldedIsNotCountedTwice) {
  // A folder that dies between its commit and deleting the files leaves
  // them for the next one, which must recognise them by their token.
  TempDir dir;
  const std::string db = dir.file("h.db");
  const std::string file = one_recorded_run(db);
  ASSERT_FALSE(file.empty());
  const std::string text = read_file(file);
  { history::Store fold(db); }
  ASSERT_TRUE(inbox_files(db).empty());
  std::ofstream(file, std::ios::binary) << text;
  history::Store store(db);
  EXPECT_EQ(store.runs().size(), 1u);
  EXPECT_TRUE(inbox_files(db).empty());
}

TEST(HistoryInbox, ALastLineCutOffIsDroppedAndADamagedFileIsSetAside) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  const std::string file = one_recorded_run(db);
  ASSERT_FALSE(file.empty());
  // As a power cut in the middle of the run's last write would leave it.
  std::string text = read_file(file);
  const auto end = text.rfind("end\t");
  ASSERT_NE(end, std::string::npos);
  text.resize(end + 5);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  const std::string damaged = history::inbox_dir(db) + "/0-1-damaged.run";
  std::ofstream(damaged) << "clnrm-history-inbox 1\nrun\tnot a number\n";

  history::Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].complete) << "a cut-off end line counted";
  EXPECT_EQ(runs[0].tests, 2);
  EXPECT_TRUE(inbox_files(db).empty());
  EXPECT_EQ(inbox_files(db, ".bad"), std::vector<std::string>{damaged + ".bad"});
}

TEST(HistoryInbox, TheRunThatFindsEnoughRunsWaitingFoldsThem) {
  TempDir dir;
  const std::string db = dir.file("h.db");
  for (std::size_t i = 0; i + 1 < history::kFoldAt; ++i) record_one_run(db, 1);
  EXPECT_FALSE(std::filesystem::exists(db));
  EXPECT_EQ(inbox_files(db).size(), history::kFoldAt - 1);
  record_one_run(db, 1);
  EXPECT_TRUE(std::filesystem::exists(db));
  EXPECT_TRUE(inbox_files(db).empty());
  history::Store store(db);
  EXPECT_EQ(store.runs(1000).size(), history::kFoldAt);
}

TEST(HistoryInbox, ManyRunnersAndFoldersAtOnceFoldEveryRunExactlyOnce) {
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
  EXPECT_TRUE(inbox_files(db).empty());
}
