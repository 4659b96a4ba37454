// `clnrm run --retries / --repeat / --check-determinism / --seed` and steps'
// max_duration, through the built binary on the sandbox backend.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::string data(const std::string& name) {
  return source_path("tests/e2e/data/repeat/" + name + ".clnrm.toml");
}

}  // namespace

TEST(RunRetries, WithoutRetriesTheFirstAttemptFails) {
  auto r = run_clnrm({"run", "--no-history", data("fails_first_attempt")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("attempt=1"), std::string::npos) << r.out;
}

TEST(RunRetries, PassAfterARetryIsFlakyInConsoleJsonJunitAndHistory) {
  TempDir dir;
  auto r = run_clnrm({"run", "--retries", "2", "--db", dir.file("h.db"), "--json",
                      dir.file("r.json"), "--junit", dir.file("r.xml"), "--metrics-file",
                      dir.file("m.prom"), data("fails_first_attempt")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("FLAKY  fails_first_attempt"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PASS   fails_first_attempt"), std::string::npos) << "never a plain pass";
  EXPECT_NE(r.out.find("[2 attempts]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 flaky"), std::string::npos) << r.out;

  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  EXPECT_EQ(t["status"], "passed");
  EXPECT_EQ(t["attempts"], 2);
  EXPECT_EQ(t["flaky"], true);
  EXPECT_NE(t["message"].get<std::string>().find("attempt 1 failed"), std::string::npos) << t;

  const std::string xml = read_file(dir.file("r.xml"));
  EXPECT_NE(xml.find("<property name=\"flaky\" value=\"true\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"attempts\" value=\"2\"/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << "a flaky pass is a passed testcase";

  EXPECT_NE(read_file(dir.file("m.prom")).find("clnrm_retries_total 1"), std::string::npos)
      << read_file(dir.file("m.prom"));

  auto h = run_clnrm({"history", "flaky", "--db", dir.file("h.db")});
  EXPECT_EQ(h.exit_code, 0) << h.out << h.err;
  EXPECT_NE(h.out.find("fails_first_attempt"), std::string::npos) << h.out;
}

TEST(RunRetries, ConsistentFailureUsesEveryAttemptAndStillFails) {
  auto r = run_clnrm(
      {"run", "--no-history", "--retries", "2", "--format", "json", data("always_fails")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json t = json::parse(r.out)["tests"][0];
  EXPECT_EQ(t["status"], "failed");
  EXPECT_EQ(t["attempts"], 3);
  EXPECT_EQ(t["flaky"], false);
  EXPECT_NE(t["steps"][0]["stdout"].get<std::string>().find("attempt=3"), std::string::npos) << t;
}

TEST(RunRepeat, DeterministicTestPassesCheckDeterminismAndWritesDigests) {
  auto r = run_clnrm({"run", "--no-history", "--repeat", "5", "--check-determinism", "--format",
                      "json", data("deterministic_seeded")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["tests"].size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(j["tests"][i]["repeat"], i);
  EXPECT_EQ(j["digests"]["format"], "clnrm-digests/1");
  EXPECT_EQ(j["digests"]["tests"].size(), 5u);
  EXPECT_EQ(j["digests"]["determinism"][0]["deterministic"], true);
  const json& timing = j["step_timings"][0];
  EXPECT_EQ(timing["step"], "seeded");
  EXPECT_EQ(timing["runs"], 5);
  EXPECT_LE(timing["min_ms"].get<double>(), timing["median_ms"].get<double>());
  EXPECT_LE(timing["median_ms"].get<double>(), timing["p95_ms"].get<double>());
  EXPECT_NE(r.err.find("step timings over repeats"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("identical output over 5 repeats"), std::string::npos) << r.err;
}

TEST(RunRepeat, NondeterministicStepIsNamedWithItsFirstDifferingLine) {
  auto r = run_clnrm(
      {"run", "--no-history", "--repeat", "3", "--check-determinism", data("prints_nanoseconds")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("DIFFERS  prints_nanoseconds  not deterministic over 3 repeats"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("step 'clock': stdout differs at line 2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("step 'stable'"), std::string::npos) << "the stable step is not blamed";
}

// Issue 14 item 6: the per-test lines, the verdict and every report agree:
// a test whose repeats differ is ONE failure, named with its differing step.
TEST(RunRepeat, NondeterministicTestCountsAsOneFailureEverywhere) {
  TempDir dir;
  auto r = run_clnrm({"run", "--no-history", "--repeat", "3", "--check-determinism", "--json",
                      dir.file("r.json"), "--junit", dir.file("r.xml"),
                      data("prints_nanoseconds")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("counted as one failure (repeat #2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED: 3 tests, 2 passed, 1 failed"), std::string::npos) << r.out;

  const json j = json::parse(read_file(dir.file("r.json")));
  EXPECT_EQ(j["summary"]["failed"], 1) << j["summary"];
  EXPECT_EQ(j["summary"]["passed"], 2) << j["summary"];
  const json& counted = j["tests"][1];
  EXPECT_EQ(counted["status"], "failed");
  EXPECT_NE(counted["message"].get<std::string>().find("not deterministic: step 'clock'"),
            std::string::npos)
      << counted["message"];

  const std::string xml = read_file(dir.file("r.xml"));
  EXPECT_NE(xml.find("<testsuites name=\"clnrm\" tests=\"3\" failures=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("not deterministic: step &apos;clock&apos;"), std::string::npos) << xml;
}

TEST(RunRepeat, CheckDeterminismNeedsRepeats) {
  auto r = run_clnrm({"run", "--no-history", "--check-determinism", data("deterministic_seeded")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--repeat"), std::string::npos) << r.err;
}

TEST(RunRepeat, DigestFileFromReportTable) {
  TempDir dir;
  const std::string file = dir.file("digest.clnrm.toml");
  {
    std::ofstream f(file);
    // Relative: a test file's report paths stay inside --output-dir.
    f << "[test.metadata]\nname = \"digested\"\n[report]\ndigest = \"d.json\"\n"
      << "[[steps]]\nname = \"hello\"\ncommand = [\"echo\", \"hello\"]\n";
  }
  auto r = run_clnrm({"run", "--no-history", "--repeat", "2", "--check-determinism",
                      "--output-dir", dir.path(), file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json d = json::parse(read_file(dir.file("d.json")));
  EXPECT_EQ(d["tests"].size(), 2u);
  EXPECT_EQ(d["tests"][0]["steps"][0]["step"], "hello");
  EXPECT_EQ(d["determinism"][0]["deterministic"], true);
}

TEST(RunRepeat, MedianOverMaxDurationFailsTheStepNamingMedianAndBudget) {
  auto r = run_clnrm(
      {"run", "--no-history", "--repeat", "3", "--json", "/dev/stderr", data("over_budget")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("step 'slow' (test 'over_budget'): median"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("over max_duration 50.0ms (3 runs)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OVER BUDGET"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("step 'quick' (test"), std::string::npos) << "quick is within budget";
}

TEST(RunRepeat, WithinBudgetPasses) {
  auto r = run_clnrm({"run", "--no-history", "--repeat", "3", data("within_budget")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("OVER BUDGET"), std::string::npos) << r.out;
}

TEST(RunRepeat, SingleRunChecksMaxDurationOnThatRun) {
  auto r = run_clnrm({"run", "--no-history", data("over_budget")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("step 'slow' took"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("over its max_duration 50.0ms"), std::string::npos) << r.out;
}

TEST(RunSeed, SeedFlagOverridesTheFileSeed) {
  auto a = run_clnrm({"run", "--no-history", "--format", "json", data("seed_echo")});
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_NE(a.out.find("seed=42"), std::string::npos) << a.out;
  auto b = run_clnrm({"run", "--no-history", "--seed", "7", "--format", "json", data("seed_echo")});
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("seed=7"), std::string::npos) << b.out;
}
