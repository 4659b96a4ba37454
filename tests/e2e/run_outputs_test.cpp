// `clnrm run` wiring of history (recording, --order/--shard/--rerun-failed)
// and of the other outputs (--html, --metrics-file, --trace-file).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::vector<std::string> names(const Outcome& r) {
  std::vector<std::string> out;
  const json j = json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "not JSON (exit " << r.exit_code << "):\n" << r.out << "\nstderr:\n" << r.err;
    return out;
  }
  for (const auto& t : j["tests"]) out.push_back(t["name"]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(RunOutputs, HistoryIsRecordedAndDrivesRerunFailedAndShards) {
  TempDir dir;
  const std::string db = dir.file("history.db");
  const std::string pass = "tests/e2e/data/run/passes.clnrm.toml";
  const std::string fail = "tests/e2e/data/run/fails_first.clnrm.toml";
  auto first = run_clnrm({"run", "--db", db, "--format", "json", pass, fail});
  EXPECT_EQ(first.exit_code, 1) << first.err;

  auto history = run_clnrm({"history", "runs", "--db", db});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("complete"), std::string::npos) << history.out;

  auto rerun = run_clnrm({"run", "--db", db, "--rerun-failed", "--format", "json", pass, fail});
  EXPECT_EQ(names(rerun), std::vector<std::string>{"a_fails_first"}) << rerun.err;

  // CI shards plan from the same history snapshot (each machine its copy);
  // shard 1 recording its run must not change what shard 2 plans from.
  const std::string db2 = dir.file("history-copy.db");
  ASSERT_EQ(std::system(("cp '" + db + "' '" + db2 + "'").c_str()), 0);
  auto shard1 = run_clnrm({"run", "--db", db, "--shard", "1/2", "--format", "json", pass, fail});
  auto shard2 = run_clnrm({"run", "--db", db2, "--shard", "2/2", "--format", "json", pass, fail});
  std::vector<std::string> both = names(shard1);
  for (const auto& n : names(shard2)) both.push_back(n);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::string>{"a_fails_first", "passes"}));
  EXPECT_EQ(names(shard1).size(), 1u) << shard1.err << shard2.err;

  EXPECT_EQ(run_clnrm({"run", "--db", db, "--order", "sideways", pass}).exit_code, 2);
  EXPECT_EQ(run_clnrm({"run", "--no-history", "--rerun-failed", pass}).exit_code, 2);
}

TEST(RunOutputs, NoHistoryWritesNoDatabase) {
  TempDir dir;
  const std::string db = dir.file("never.db");
  auto r = run_clnrm({"run", "--no-history", "--db", db, "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::ifstream(db).good());
  EXPECT_FALSE(std::filesystem::exists(db + "-inbox"));
}

TEST(RunOutputs, ARunRecordsIntoTheInboxAndTheFirstReaderFoldsIt) {
  // A run does not open the database (src/history/inbox.h says why): its
  // records wait in <db>-inbox until something reads the history.
  TempDir dir;
  const std::string db = dir.file("state/history.db");
  auto r = run_clnrm({"run", "--db", db, "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db)) << "the run opened the database";
  ASSERT_TRUE(std::filesystem::exists(db + "-inbox"));
  EXPECT_GT(std::filesystem::file_size(db + "-inbox"), 0u);

  auto history = run_clnrm({"history", "runs", "--db", db});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("complete"), std::string::npos) << history.out;
  EXPECT_TRUE(std::filesystem::exists(db));
  EXPECT_FALSE(std::filesystem::exists(db + "-inbox"));
}

TEST(RunOutputs, TheHtmlReportsSparklineHasEveryEarlierRunAndThisOneOnce) {
  // The trends come from the database with this run folded in from the
  // inbox (Recorder::open_recorded): two runs before, then this one.
  TempDir dir;
  const std::string db = dir.file("h.db");
  const std::string test = "tests/e2e/data/run/passes.clnrm.toml";
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_clnrm({"run", "--db", db, test}).exit_code, 0);
  auto r = run_clnrm({"run", "--db", db, "--html", dir.file("r.html"), test});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("no history trends"), std::string::npos) << r.err;
  std::ifstream in(dir.file("r.html"));
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<title>last 3 runs:"), std::string::npos) << html.substr(0, 2000);
}

TEST(RunOutputs, HtmlMetricsAndTraceFiles) {
  TempDir dir;
  auto r = run_clnrm({"run", "--db", dir.file("h.db"), "--html", dir.file("r.html"),
                      "--metrics-file", dir.file("m.prom"), "--trace-file", dir.file("t.json"),
                      "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(dir.file("r.html")).find("passes"), std::string::npos);
  EXPECT_NE(read_file(dir.file("m.prom")).find("clnrm_tests_passed_total 1"), std::string::npos)
      << read_file(dir.file("m.prom"));
  const json trace = json::parse(read_file(dir.file("t.json")));
  EXPECT_TRUE(trace.contains("resourceSpans")) << trace.dump().substr(0, 300);
}
