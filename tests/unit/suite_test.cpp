// run_suite's pipeline on the null backend (every step passes without
// running a process): what stops a run before it starts, what the observer
// hears, and that the JSON report agrees with the verdict. The same pipeline
// on the real sandbox: tests/integration/run_suite_test.cpp.
#include <clnrm/suite.h>

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;
using suite_test::test_file;

namespace {

SuiteOptions null_suite(std::vector<std::string> paths) {
  SuiteOptions o;
  o.paths = std::move(paths);
  o.backend = "null";
  o.run.jobs = 1;
  return o;
}

struct Recording : SuiteObserver {
  std::vector<std::string> events;
  void diagnostic(const Diagnostic& d) override { events.push_back("diagnostic " + d.message); }
  void duplicate_names(const std::vector<DuplicateName>& d, const std::vector<TestNameUse>&) override {
    events.push_back("duplicate " + d.at(0).name);
  }
  void backend_chosen(std::string_view name, const std::string&) override {
    events.push_back("backend " + std::string(name));
  }
  void invalid_file(const TestResult& t) override { events.push_back("invalid " + t.file); }
  void run_starting(std::size_t n) override { events.push_back("starting " + std::to_string(n)); }
  void test_finished(const TestResult& t) override { events.push_back("finished " + t.name); }
  void run_finished() override { events.push_back("finished run"); }
};

}  // namespace

TEST(RunSuite, PassingSuiteTellsTheObserverInOrder) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("a"));
  const std::string b = dir.write("b.clnrm.toml", test_file("b"));
  Recording observer;
  const SuiteOutcome outcome = run_suite(null_suite({a, b}), &observer);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::Passed);
  EXPECT_EQ(outcome.exit_code(), 0);
  EXPECT_TRUE(outcome.ran);
  ASSERT_EQ(outcome.run.tests.size(), 2u);
  EXPECT_EQ(observer.events, (std::vector<std::string>{"backend null", "starting 2", "finished a",
                                                       "finished b", "finished run"}));
}

TEST(RunSuite, InvalidFileStopsTheRunUnlessKeepGoing) {
  ScratchDir dir;
  const std::string good = dir.write("good.clnrm.toml", test_file("good"));
  const std::string bad = dir.write("bad.clnrm.toml", test_file("bad", "true", "comand = 1\n"));
  Recording observer;
  SuiteOutcome outcome = run_suite(null_suite({good, bad}), &observer);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::InvalidInput);
  EXPECT_EQ(outcome.exit_code(), 2);
  EXPECT_FALSE(outcome.ran);
  EXPECT_EQ(outcome.invalid_files, 1u);
  EXPECT_TRUE(outcome.unknown_keys);
  ASSERT_EQ(observer.events.size(), 1u);
  EXPECT_EQ(observer.events[0].rfind("diagnostic unknown key 'comand'", 0), 0u) << observer.events[0];

  SuiteOptions keep_going = null_suite({good, bad});
  keep_going.keep_going = true;
  outcome = run_suite(keep_going, nullptr);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::InvalidInput);
  EXPECT_TRUE(outcome.ran);
  ASSERT_EQ(outcome.run.tests.size(), 2u);
  EXPECT_EQ(outcome.run.tests[0].status, Status::Passed);
  EXPECT_EQ(outcome.run.tests[1].file, bad);  // invalid files last
  EXPECT_EQ(outcome.run.tests[1].status, Status::Error);
}

TEST(RunSuite, UnwritableOutputStopsTheRunBeforeItStarts) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("a"));
  dir.write("file", "x");
  SuiteOptions o = null_suite({a});
  o.outputs.junit_file = dir.path("file/report.xml");
  const SuiteOutcome outcome = run_suite(o);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::InvalidInput);
  EXPECT_FALSE(outcome.ran);
  ASSERT_EQ(outcome.unwritable.size(), 1u);
  EXPECT_EQ(outcome.unwritable[0].output, SuiteOutput::Junit);
}

TEST(RunSuite, DuplicateNamesAreToldBeforeTheRun) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("same"));
  const std::string b = dir.write("b.clnrm.toml", test_file("same"));
  Recording observer;
  EXPECT_EQ(run_suite(null_suite({a, b}), &observer).verdict, SuiteVerdict::Passed);
  ASSERT_FALSE(observer.events.empty());
  EXPECT_EQ(observer.events[0], "duplicate same");
}

// Defect fixed with the move into the library: the --json file was written
// before the [report] files, so it said exit_code 0 when one of those then
// failed and the run exited 1. Now the JSON is written last and agrees.
TEST(RunSuite, JsonReportAgreesWhenAnotherReportIsNotWritten) {
  ScratchDir dir;
  const std::string a =
      dir.write("a.clnrm.toml", test_file("a", "true", "\n[report]\njson = \"sub/a.json\"\n"));
  dir.write("blocked", "a file where the [report] directory should be");
  SuiteOptions o = null_suite({a});
  o.outputs.report_dir = dir.path("blocked");
  o.outputs.json_file = dir.path("run.json");
  o.outputs.json_text = true;
  const SuiteOutcome outcome = run_suite(o);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::Failed);
  EXPECT_EQ(outcome.exit_code(), 1);
  ASSERT_EQ(outcome.not_written.size(), 1u);
  EXPECT_EQ(outcome.not_written[0].output, SuiteOutput::PerTestReports);
  EXPECT_EQ(outcome.run.tests.at(0).status, Status::Passed);
  const nlohmann::json file = nlohmann::json::parse(ScratchDir::read(dir.path("run.json")));
  EXPECT_EQ(file["exit_code"], 1);
  EXPECT_EQ(nlohmann::json::parse(outcome.json)["exit_code"], 1);
  EXPECT_EQ(outcome.files_written, std::vector<std::string>{dir.path("run.json")});
}

TEST(RunSuite, ContradictoryOptionsAreUsageErrors) {
  ScratchDir dir;
  SuiteOptions o = null_suite({dir.write("a.clnrm.toml", test_file("a"))});
  o.check_determinism = true;  // with one repeat there is nothing to compare
  EXPECT_THROW(run_suite(o), Error);
  o = null_suite({dir.path("missing.clnrm.toml")});
  EXPECT_THROW(run_suite(o), Error);
  EXPECT_EQ(run_suite(null_suite({})).verdict, SuiteVerdict::InvalidInput);
}

// Issue 18: selection happens before the plan; plan_only stops there, with
// nothing run and no history written.
TEST(RunSuite, SelectionThenPlanOnlyRunsNothingAndWritesNoHistory) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("alpha"));
  const std::string b = dir.write("b.clnrm.toml", test_file("beta"));
  const std::string c = dir.write("c.clnrm.toml", test_file("gamma"));
  SuiteOptions o = null_suite({a, b, c});
  o.select = [](const TestSpec& t) { return t.name != "beta"; };
  o.plan_only = true;
  o.history_db = dir.path("history.db");
  Recording observer;
  const SuiteOutcome outcome = run_suite(o, &observer);
  ASSERT_TRUE(outcome.plan.has_value());
  ASSERT_EQ(outcome.plan->tests.size(), 2u);
  EXPECT_EQ(outcome.plan->tests[0].name, "alpha");
  EXPECT_EQ(outcome.plan->tests[1].name, "gamma");
  EXPECT_EQ(outcome.plan->backend.name, "null");
  EXPECT_FALSE(outcome.ran);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::Passed);
  EXPECT_TRUE(observer.events.empty()) << "no backend made, nothing started: "
                                       << observer.events.front();
  EXPECT_FALSE(std::filesystem::exists(dir.path("history.db")));

  o.select = [](const TestSpec&) { return false; };
  EXPECT_TRUE(run_suite(o).nothing_selected);
}

// The library run takes the files `clnrm run DIR` takes: a directory's
// `failing/` tests are left out (and told) unless include_failing, and a
// directory without test files is InvalidInput saying so.
TEST(RunSuite, ADirectoryIsSearchedAsTheCliSearchesIt) {
  ScratchDir dir;
  dir.write("suite/a.clnrm.toml", test_file("a"));
  dir.write("suite/failing/b.clnrm.toml", test_file("b"));
  dir.write("suite/notes.txt", "x");
  struct Skipped : SuiteObserver {
    std::vector<SkippedFile> files;
    void files_skipped(const std::vector<SkippedFile>& s) override { files = s; }
  } observer;
  SuiteOptions o = null_suite({dir.path("suite")});
  SuiteOutcome outcome = run_suite(o, &observer);
  ASSERT_EQ(outcome.run.tests.size(), 1u);
  EXPECT_EQ(outcome.run.tests[0].name, "a");
  ASSERT_EQ(observer.files.size(), 2u);
  auto count = [&](SkippedFile::Why why) {
    return std::count_if(observer.files.begin(), observer.files.end(),
                         [&](const SkippedFile& f) { return f.why == why; });
  };
  EXPECT_EQ(count(SkippedFile::Why::FailingDirectory), 1);
  EXPECT_EQ(count(SkippedFile::Why::NotATestFile), 1);

  o.include_failing = true;
  EXPECT_EQ(run_suite(o).run.tests.size(), 2u);

  dir.write("empty/readme.md", "x");
  outcome = run_suite(null_suite({dir.path("empty")}));
  EXPECT_TRUE(outcome.no_test_files);
  EXPECT_EQ(outcome.verdict, SuiteVerdict::InvalidInput);
}

// -k / --tag as the library's own filter, combined with a program's select.
TEST(RunSuite, TheFilterAndSelectBothDecide) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("alpha"));
  const std::string b = dir.write("b.clnrm.toml", test_file("beta"));
  const std::string c = dir.write("c.clnrm.toml", test_file("gamma"));
  SuiteOptions o = null_suite({a, b, c});
  o.filter.names = {"not beta"};
  o.select = [](const TestSpec& t) { return t.name != "gamma"; };
  const SuiteOutcome outcome = run_suite(o);
  ASSERT_EQ(outcome.run.tests.size(), 1u);
  EXPECT_EQ(outcome.run.tests[0].name, "alpha");
  o.filter.names = {"a or b"};
  EXPECT_THROW(run_suite(o), Error);
}
