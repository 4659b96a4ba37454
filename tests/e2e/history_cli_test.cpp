// `clnrm history ...` through the built binary, on a DB written by the real store.
#include <clnrm/history.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/history_fixtures.h"
#include "support/run_command.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::record_run;
using clnrm::testing::run_command;
using clnrm::testing::TempDir;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

class HistoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    history::Store store(db());
    for (int run = 0; run < 24; ++run) {
      record_run(
          store,
          {make_test("sometimes", run % 3 == 2 ? Status::Failed : Status::Passed, milliseconds(20)),
           make_test("always", Status::Failed, milliseconds(10)),
           make_test("api", Status::Passed, milliseconds((run >= 12 ? 210 : 100) + run % 5), "h",
                     2)},
          "c0ffee" + std::to_string(100 + run) + "0000000000000000000000000000000");
    }
    store.begin_run(history::collect_run_meta("null", "killed"));  // an incomplete run
  }
  std::string db() const { return dir_.file("history.db"); }
  clnrm::testing::CommandResult cli(const std::string& args) {
    return run_command(std::string(CLNRM_BINARY) + " history " + args + " --db " + db() + " 2>&1");
  }
  TempDir dir_;
};

}  // namespace

TEST_F(HistoryCli, FlakyListsTheOneInThreeFailureAndSeparatesTheBrokenOne) {
  auto r = cli("flaky --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = json::parse(r.out);
  ASSERT_EQ(j["flaky"].size(), 1u);
  EXPECT_EQ(j["flaky"][0]["test"], "sometimes");
  EXPECT_EQ(j["flaky"][0]["failures"], 8);
  ASSERT_EQ(j["broken"].size(), 1u);
  EXPECT_EQ(j["broken"][0]["test"], "always");

  auto human = cli("flaky");
  EXPECT_NE(human.out.find("FLAKY"), std::string::npos);
  EXPECT_NE(human.out.find("BROKEN"), std::string::npos);
}

TEST_F(HistoryCli, SlowestOrdersByMedian) {
  auto r = cli("slowest --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["test"], "api");
  EXPECT_GT(j[0]["p95_ns"].get<long long>(), j[0]["median_ns"].get<long long>());
}

TEST_F(HistoryCli, TrendSaysWhenAndAtWhichCommitItGotSlower) {
  auto r = cli("trend api");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("got 2.1x slower at run 13 (commit c0ffee1120)"), std::string::npos)
      << r.out;
  auto j = json::parse(cli("trend api --format json").out);
  EXPECT_EQ(j["change_point"]["run"], 13);
  EXPECT_EQ(j["points"].size(), 24u);
  EXPECT_EQ(cli("trend nosuchtest").exit_code, 2);
}

TEST_F(HistoryCli, ExportJsonAndCsvHaveEveryRow) {
  auto j = json::parse(cli("export --format json").out);
  EXPECT_EQ(j.size(), 24u * (2 + 2 + 3));
  EXPECT_EQ(j[0]["run"], 1);
  auto csv = cli("export --format csv --run 2");
  ASSERT_EQ(csv.exit_code, 0);
  std::size_t lines = 0;
  for (char c : csv.out) lines += c == '\n';
  EXPECT_EQ(lines, 1u + 7u);
  EXPECT_EQ(csv.out.rfind("id,run,run_complete,git_commit", 0), 0u);
}

TEST_F(HistoryCli, PredictStatesItsMethodAndRanksTheBrokenTestFirst) {
  auto help = run_command(std::string(CLNRM_BINARY) + " history predict --help");
  EXPECT_NE(help.out.find("recency-weighted"), std::string::npos);
  EXPECT_NE(help.out.find("half_life"), std::string::npos);
  auto j = json::parse(cli("predict --format json --half-life 3").out);
  EXPECT_EQ(j["half_life_runs"], 3.0);
  ASSERT_EQ(j["tests"].size(), 3u);
  EXPECT_EQ(j["tests"][0]["test"], "always");
  EXPECT_EQ(j["tests"][2]["test"], "api");
}

TEST_F(HistoryCli, RunsMarksTheIncompleteRun) {
  auto r = cli("runs -n 2");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("INCOMPLETE"), std::string::npos) << r.out;
  auto j = json::parse(cli("runs --format json").out);
  EXPECT_FALSE(j[0]["complete"].get<bool>());
  EXPECT_TRUE(j[1]["complete"].get<bool>());
}

TEST_F(HistoryCli, FailedListsTheLastCompleteRunsFailures) {
  auto j = json::parse(cli("failed --format json").out);
  EXPECT_EQ(j["run"], 24);           // run 25 is incomplete
  ASSERT_EQ(j["tests"].size(), 2u);  // run 24 (index 23, 23 % 3 == 2): both failed
  EXPECT_EQ(j["tests"][0]["test"], "sometimes");
  EXPECT_EQ(j["tests"][1]["test"], "always");
  EXPECT_NE(cli("failed").out.find("2 test(s) failed in run 24"), std::string::npos);
}

TEST(HistoryCliNoDb, MissingDatabaseIsAClearError) {
  TempDir dir;
  auto r = run_command(std::string(CLNRM_BINARY) + " history flaky --db " + dir.file("none.db") +
                       " 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no history database"), std::string::npos) << r.out;
}

// `history export -o FILE` writes the file whole (src/base/atomic_file.h):
// the same rows as stdout, no temporary left beside it, and a path that
// cannot be written is an error naming it.
TEST_F(HistoryCli, ExportToAFileIsWholeAndLeavesNoTemporary) {
  const auto to_stdout = cli("export --format csv");
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.out;
  const std::string out_dir = dir_.file("exports");
  std::filesystem::create_directories(out_dir);
  const auto to_file = cli("export --format csv -o " + out_dir + "/all.csv");
  ASSERT_EQ(to_file.exit_code, 0) << to_file.out;
  std::ifstream in(out_dir + "/all.csv");
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, to_stdout.out);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(out_dir), {}), 1);

  const std::string under_a_file = db() + "/x.json";  // the parent is the DB file
  const auto bad = cli("export -o " + under_a_file + " --format json");
  EXPECT_NE(bad.exit_code, 0) << bad.out;
  EXPECT_NE(bad.out.find(under_a_file), std::string::npos) << bad.out;
}
