// Fault injection: the history DB on a filesystem that fills up (a real
// 512 KiB tmpfs). The store must fail with Error(Io) naming the DB path --
// never crash, hang or corrupt what was already committed -- and work again
// once space is back.
#include <clnrm/error.h>
#include <clnrm/history.h>
#include <gtest/gtest.h>

#include "integration/fault_support.h"
#include "support/history_fixtures.h"

namespace clnrm {
namespace {

using testing_fault::SmallTmpfs;

std::vector<TestResult> many_tests(int n, const std::string& prefix) {
  std::vector<TestResult> tests;
  for (int i = 0; i < n; ++i) {
    auto t = testing::make_test(prefix + std::to_string(i), i % 7 == 0 ? Status::Failed : Status::Passed,
                                std::chrono::milliseconds(10 + i), "hash", 3);
    t.message = std::string(200, 'm');  // rows big enough to need new pages
    tests.push_back(std::move(t));
  }
  return tests;
}

TEST(FaultHistoryFullFs, OpeningOnAFullFilesystemIsAnIoErrorNamingTheDb) {
  SmallTmpfs fs(512);
  ASSERT_GT(fs.fill(), 0u);
  const std::string db = (fs.path() / "history.db").string();
  try {
    history::Store store(db);
    // SQLite may open lazily; the first write must then fail.
    store.begin_run(history::collect_run_meta("sandbox", "--fault"));
    FAIL() << "a history store on a full filesystem accepted a run";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io) << e.describe();
    EXPECT_NE(e.describe().find(db), std::string::npos) << e.describe();
  }
}

TEST(FaultHistoryFullFs, WritesFailingMidRunKeepCommittedRunsAndRecoverWhenSpaceReturns) {
  SmallTmpfs fs(512);
  const std::string db = (fs.path() / "history.db").string();
  std::int64_t first = 0;
  {
    history::Store store(db);
    first = testing::record_run(store, many_tests(5, "before_"));
  }
  // Fill the rest of the disk, then record a run far larger than what is left.
  ASSERT_GT(fs.fill(), 0u);
  bool failed = false;
  try {
    history::Store store(db);
    testing::record_run(store, many_tests(2000, "during_"));
  } catch (const Error& e) {
    failed = true;
    EXPECT_EQ(e.kind(), ErrorKind::Io) << e.describe();
    EXPECT_NE(e.describe().find(db), std::string::npos) << e.describe();
  }
  EXPECT_TRUE(failed) << "2000 test rows fit into a full 512 KiB filesystem";

  fs.drain();
  history::Store store(db);
  EXPECT_EQ(store.health_check(true), "ok");
  const auto runs = store.runs();
  bool first_kept = false;
  for (const auto& r : runs) {
    if (r.id == first) {
      first_kept = true;
      EXPECT_EQ(r.tests, 5);
    }
  }
  EXPECT_TRUE(first_kept) << "the run committed before the disk filled up is gone";
  // And it takes new runs again.
  EXPECT_NO_THROW(testing::record_run(store, many_tests(3, "after_")));
}

}  // namespace
}  // namespace clnrm
