// Fault injection, end to end: `clnrm run` with its history DB on a full
// filesystem (a real 512 KiB tmpfs filled to ENOSPC). The run still runs,
// prints and returns its results, and says on stderr that history was not
// recorded, naming the DB; runs recorded before the disk filled survive.
#include <gtest/gtest.h>

#include "integration/fault_support.h"
#include "e2e/run_process.h"

namespace {

using clnrm::testing_fault::SmallTmpfs;

const std::string kExample = run_e2e::source_path("examples/cli_multi_step.clnrm.toml");

run_e2e::Outcome run_with_db(const std::string& db) {
  return run_e2e::run_clnrm({"run", "--db", db, kExample});
}

TEST(FaultHistoryFullFsCli, NewDbOnAFullDiskTheRunReportsItsResultsAndSaysHistoryWasNotRecorded) {
  SmallTmpfs fs(512);
  ASSERT_GT(fs.fill(), 0u);
  const std::string db = (fs.path() / "history.db").string();
  const auto o = run_with_db(db);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("1 passed"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("history not recorded"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(db), std::string::npos) << o.err;
}

TEST(FaultHistoryFullFsCli, DiskFullAfterEarlierRunsKeepsThemAndTheRunStillPasses) {
  SmallTmpfs fs(512);
  const std::string db = (fs.path() / "history.db").string();
  ASSERT_EQ(run_with_db(db).exit_code, 0);
  ASSERT_GT(fs.fill(), 0u);
  // The run's lines are appended to the history inbox (src/history/inbox.h),
  // whose last page may still have room for a few runs: run until one finds
  // none. Every run passes all the same.
  bool refused = false;
  for (int attempt = 0; attempt < 30 && !refused; ++attempt) {
    const auto full = run_with_db(db);
    EXPECT_EQ(full.exit_code, 0) << full.err;
    EXPECT_NE(full.out.find("1 passed"), std::string::npos) << full.out;
    refused = full.err.find("history not recorded") != std::string::npos;
  }
  EXPECT_TRUE(refused) << "30 runs were recorded on a full filesystem";

  fs.drain();
  const auto hist = run_e2e::run_clnrm({"history", "runs", "--db", db});
  EXPECT_EQ(hist.exit_code, 0) << hist.err;
  EXPECT_NE(hist.out.find("sandbox"), std::string::npos) << "the run recorded before the disk filled is gone:\n"
                                                         << hist.out << hist.err;
}

}  // namespace
