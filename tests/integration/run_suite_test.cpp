// A library user gets the whole pipeline: run_suite (clnrm/suite.h) on a
// directory of two test files on the real sandbox backend gives the verdict,
// records the run in a real SQLite history database and writes the JSON and
// JUnit reports, as `clnrm run` does.
#include <clnrm/suite.h>

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/sqlite_query.h"
#include "support/suite_scratch.h"

using namespace clnrm;
using clnrm::testing::query_int;
using suite_test::ScratchDir;
using suite_test::test_file;

namespace {

SuiteOptions sandbox_suite(const ScratchDir& dir) {
  SuiteOptions o;
  o.paths = {dir.path("tests")};
  o.backend = "sandbox";
  o.history_db = dir.path("history.db");
  o.history_command = "run_suite_test";
  o.outputs.json_file = dir.path("out/run.json");
  o.outputs.junit_file = dir.path("out/run.xml");
  return o;
}

}  // namespace

TEST(RunSuiteSandbox, DirectoryRunsWithVerdictHistoryAndReports) {
  ScratchDir dir;
  dir.write("tests/first.clnrm.toml", test_file("first", "echo one"));
  dir.write("tests/second.clnrm.toml", test_file("second", "test \\\"$(echo two)\\\" = two"));
  std::vector<std::string> finished;
  struct Names : SuiteObserver {
    std::vector<std::string>& out;
    explicit Names(std::vector<std::string>& o) : out(o) {}
    void test_finished(const TestResult& t) override { out.push_back(t.name); }
  } observer(finished);

  const SuiteOutcome outcome = run_suite(sandbox_suite(dir), &observer);

  EXPECT_EQ(outcome.verdict, SuiteVerdict::Passed);
  EXPECT_EQ(outcome.exit_code(), 0);
  ASSERT_EQ(outcome.run.tests.size(), 2u);
  for (const TestResult& t : outcome.run.tests) EXPECT_EQ(t.status, Status::Passed) << t.name << ": " << t.message;
  EXPECT_EQ(outcome.run.backend, "sandbox");
  // The two tests run on two lanes: the observer hears each once, in
  // whichever order they finish.
  std::sort(finished.begin(), finished.end());
  EXPECT_EQ(finished, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(outcome.warnings.empty());
  EXPECT_TRUE(outcome.not_written.empty());

  // History: one complete run with both tests, under the command given.
  const std::string db = dir.path("history.db");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM runs WHERE complete = 1 AND options = 'run_suite_test'"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM executions WHERE step = '' AND status = 'passed'"), 2);

  // Reports: the JSON agrees with the verdict, the JUnit names both tests.
  const nlohmann::json json = nlohmann::json::parse(ScratchDir::read(dir.path("out/run.json")));
  EXPECT_EQ(json["exit_code"], 0);
  EXPECT_EQ(json["summary"]["passed"], 2);
  const std::string junit = ScratchDir::read(dir.path("out/run.xml"));
  EXPECT_NE(junit.find("name=\"first\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("name=\"second\""), std::string::npos) << junit;
  EXPECT_EQ(outcome.files_written,
            (std::vector<std::string>{dir.path("out/run.xml"), dir.path("out/run.json")}));
}

TEST(RunSuiteSandbox, FailingTestFailsTheSuiteAndHistoryRemembersIt) {
  ScratchDir dir;
  dir.write("tests/ok.clnrm.toml", test_file("ok"));
  dir.write("tests/broken.clnrm.toml", test_file("broken", "exit 3"));
  SuiteOptions o = sandbox_suite(dir);
  const SuiteOutcome outcome = run_suite(o);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::Failed);
  EXPECT_EQ(outcome.exit_code(), 1);
  EXPECT_EQ(outcome.run.count(Status::Failed), 1u);
  EXPECT_EQ(nlohmann::json::parse(ScratchDir::read(dir.path("out/run.json")))["exit_code"], 1);

  // The next run plans from that history: only the failed test runs again.
  o.planning.rerun_failed = true;
  const SuiteOutcome rerun = run_suite(o);
  ASSERT_EQ(rerun.run.tests.size(), 1u);
  EXPECT_EQ(rerun.run.tests[0].name, "broken");
  EXPECT_EQ(query_int(dir.path("history.db"), "SELECT count(*) FROM runs"), 2);
}
