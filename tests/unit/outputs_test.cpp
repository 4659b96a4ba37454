// The files a run writes after it ran (src/suite/outputs.cpp).
#include "suite/outputs.h"

#include <clnrm/report.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;

namespace {

RunResult one_passed() {
  RunResult run;
  TestResult t;
  t.name = "t";
  t.file = "t.clnrm.toml";
  t.status = Status::Passed;
  run.tests.push_back(t);
  return run;
}

}  // namespace

TEST(SuiteOutputs, UnwritablePathsAreNamedBeforeTheRun) {
  ScratchDir dir;
  dir.write("file", "x");
  SuiteOutputs outputs;
  outputs.json_file = dir.path("ok.json");
  outputs.junit_file = dir.path("file/under-a-file.xml");
  outputs.trace_file = dir.path("file/too.json");
  const std::vector<OutputProblem> problems = suite::unwritable_outputs(outputs);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].output, SuiteOutput::Junit);
  EXPECT_EQ(problems[1].output, SuiteOutput::Trace);
  EXPECT_NE(problems[0].why.find("under-a-file.xml"), std::string::npos) << problems[0].why;
}

// The JSON report's exit_code agrees with the verdict: an output that could
// not be written fails a run whose tests passed.
TEST(SuiteOutputs, JsonExitCodeCountsOutputsThatFailed) {
  const RunResult run = one_passed();
  EXPECT_EQ(nlohmann::json::parse(suite::json_report(run, {}, false))["exit_code"], 0);
  EXPECT_EQ(nlohmann::json::parse(suite::json_report(run, {}, true))["exit_code"], 1);
  // Without extras nor failures the text is run_result_to_json's, unchanged.
  EXPECT_EQ(suite::json_report(run, {}, false), run_result_to_json(run));
  suite::JsonExtras extras;
  extras.metrics = nlohmann::json{{"x", 1}};
  EXPECT_EQ(nlohmann::json::parse(suite::json_report(run, extras, false))["metrics"]["x"], 1);
}
