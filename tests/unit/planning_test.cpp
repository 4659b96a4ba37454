// Planning a suite from history (src/suite/planning.cpp).
#include "suite/planning.h"

#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/timing_snapshot.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;

namespace {

std::vector<TestSpec> tests_named(std::initializer_list<const char*> names) {
  std::vector<TestSpec> out;
  for (const char* n : names) {
    TestSpec t;
    t.name = n;
    t.file = std::string(n) + ".clnrm.toml";
    out.push_back(t);
  }
  return out;
}

}  // namespace

TEST(SuitePlanning, FileOrderOfEveryTestNeedsNoOrdering) {
  std::string note;
  EXPECT_EQ(suite::make_ordering({}, "", note), nullptr);
  EXPECT_TRUE(note.empty());
}

TEST(SuitePlanning, HistoryWantedWithoutHistoryIsAUsageError) {
  std::string note;
  SuitePlanning history_order;
  history_order.order = "history";
  EXPECT_THROW(suite::make_ordering(history_order, "", note), Error);
  SuitePlanning rerun;
  rerun.rerun_failed = true;
  EXPECT_THROW(suite::make_ordering(rerun, "", note), Error);
  SuitePlanning bad;
  bad.shard = "3/2";
  EXPECT_THROW(suite::make_ordering(bad, "", note), Error);
}

TEST(SuitePlanning, ShardsSplitTheTestsAndRandomOrderNamesItsSeed) {
  ScratchDir dir;
  const std::vector<TestSpec> tests = tests_named({"a", "b", "c", "d"});
  std::string note;
  SuitePlanning first, second;
  first.shard = "1/2";
  second.shard = "2/2";
  // No history yet: the DB does not exist, planning goes on without it.
  const OrderingFunction one = suite::make_ordering(first, dir.path("h.db"), note);
  const OrderingFunction two = suite::make_ordering(second, dir.path("h.db"), note);
  ASSERT_TRUE(one && two);
  const std::vector<std::size_t> a = one(tests), b = two(tests);
  EXPECT_EQ(a.size() + b.size(), tests.size());
  for (std::size_t i : a) EXPECT_EQ(std::count(b.begin(), b.end(), i), 0);

  SuitePlanning random;
  random.order = "random";
  ASSERT_TRUE(suite::make_ordering(random, "", note));
  EXPECT_NE(note.find("(pass order random:"), std::string::npos) << note;
  random.order_as = "--order";  // the CLI names its flags
  ASSERT_TRUE(suite::make_ordering(random, "", note));
  EXPECT_NE(note.find("(pass --order random:"), std::string::npos) << note;
}

// A shard is a function of (tests, N, --timings) only: the live history,
// which every shard run adds to, must not move a test to another shard.
TEST(SuitePlanning, ShardsDoNotReadTheLiveHistory) {
  ScratchDir dir;
  const std::vector<TestSpec> tests = tests_named({"a", "b", "c", "d", "e", "f"});
  history::Store store(dir.path("h.db"));
  const auto run = store.begin_run(history::collect_run_meta("null", "--test"));
  for (const TestSpec& t : tests) {
    TestResult r;
    r.file = t.file;
    r.name = t.name;
    r.status = Status::Passed;
    // "a" is by far the slowest: a history-balanced split would isolate it.
    r.duration = std::chrono::milliseconds(t.name == "a" ? 5000 : 10);
    store.record_test(run, r);
  }
  RunResult result;
  store.finish_run(run, result);
  store.flush();
  for (int k = 1; k <= 2; ++k) {
    SuitePlanning p;
    p.shard = std::to_string(k) + "/2";
    std::string with_note, without_note;
    const auto with_history = suite::make_ordering(p, dir.path("h.db"), with_note)(tests);
    const auto without = suite::make_ordering(p, "", without_note)(tests);
    EXPECT_EQ(with_history, without) << "shard " << k;
    EXPECT_EQ(with_history.size(), 3u);
    EXPECT_NE(with_note.find("split by test count (no timings)"), std::string::npos) << with_note;
  }
}

TEST(SuitePlanning, TimingsSplitByTheSnapshotAndAreCheckedBeforeAnyRun) {
  ScratchDir dir;
  const std::vector<TestSpec> tests = tests_named({"a", "b", "c", "d"});
  history::TimingSnapshot snap;
  snap.taken_at = "2026-12-05T18:00:00Z";
  snap.tests = {{"a.clnrm.toml", "a", 9'000'000'000}, {"b.clnrm.toml", "b", 1'000'000'000},
                {"c.clnrm.toml", "c", 1'000'000'000}};  // d: new, costs the median (1 s)
  const std::string file = dir.write("timings.json", history::timing_snapshot_json(snap));
  SuitePlanning first;
  first.shard = "1/2";
  first.timings = file;
  std::string note;
  EXPECT_EQ(suite::make_ordering(first, "", note)(tests), (std::vector<std::size_t>{0}));
  EXPECT_NE(note.find("1 of 4 tests, split by the durations in " + file), std::string::npos)
      << note;

  SuitePlanning without_shard;
  without_shard.timings = file;
  EXPECT_THROW(suite::make_ordering(without_shard, "", note), Error);
  SuitePlanning bad = first;
  bad.timings = dir.write("bad.json", "{\"format\": \"clnrm-timings\",\n \"version\": }");
  try {
    suite::make_ordering(bad, "", note);
    FAIL() << "a malformed snapshot was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_EQ(e.describe().rfind(bad.timings + ":2:13: not valid JSON", 0), 0u) << e.describe();
  }
}
