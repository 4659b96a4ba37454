#include <clnrm/assertions.h>
#include <gtest/gtest.h>

#include "unit/spec_builders.h"

using namespace clnrm;

namespace {
ExecResult exec(int code, std::string out, std::string err = {}) {
  ExecResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  r.stderr_data = std::move(err);
  return r;
}
}  // namespace

TEST(StepAssertions, PassingStepRecordsEachCheck) {
  StepSpec s = build::step("greet", {"echo", "hello"});
  s.expected_output_regex = build::pattern("hel+o");
  s.expected_output_regex_not = build::pattern("error");
  std::vector<AssertionResult> out;
  EXPECT_TRUE(check_step(s, exec(0, "hello\n"), out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].name, "exit_code");
  EXPECT_EQ(out[1].name, "expected_output_regex");
  EXPECT_EQ(out[2].name, "expected_output_regex_not");
  for (const auto& a : out) EXPECT_TRUE(a.passed);
}

TEST(StepAssertions, RegexFailureShowsStepCommandPatternAndOutputTail) {
  StepSpec s = build::step("greet", {"echo", "hello"});
  s.expected_output_regex = build::pattern("^goodbye$");
  std::string output;
  for (int i = 0; i < 50; ++i) output += "noise " + std::to_string(i) + "\n";
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_step(s, exec(0, output), out));
  const std::string& m = out[1].message;
  EXPECT_NE(m.find("step 'greet'"), std::string::npos) << m;
  EXPECT_NE(m.find("[echo hello]"), std::string::npos) << m;
  EXPECT_NE(m.find("/^goodbye$/"), std::string::npos) << m;
  EXPECT_NE(m.find("noise 49"), std::string::npos) << "the tail is shown: " << m;
  EXPECT_EQ(m.find("noise 5\n"), std::string::npos) << "the head is not: " << m;
}

TEST(StepAssertions, NegatedRegexFailsWhenItMatches) {
  StepSpec s = build::step("s", {"x"});
  s.expected_output_regex_not = build::pattern("panic");
  s.expected_stderr_regex = build::pattern("warn");
  s.expected_stderr_regex_not = build::pattern("fatal");
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_step(s, exec(0, "kernel panic\n", "warn: fatal\n"), out));
  EXPECT_FALSE(out[1].passed);
  EXPECT_NE(out[1].message.find("must not"), std::string::npos);
  EXPECT_TRUE(out[2].passed);
  EXPECT_FALSE(out[3].passed);
  EXPECT_NE(out[3].message.find("stderr"), std::string::npos);
}

TEST(StepAssertions, ExitCodeMismatchShowsBothStreams) {
  StepSpec s = build::step("s", {"false"});
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_step(s, exec(1, "", "boom\n"), out));
  EXPECT_NE(out[0].message.find("exited 1, expected exit code 0"), std::string::npos)
      << out[0].message;
  EXPECT_NE(out[0].message.find("boom"), std::string::npos);
  EXPECT_NE(out[0].message.find("actual stdout: (empty)"), std::string::npos);
}

TEST(StepAssertions, ExpectedNonZeroExitAndExpectedKill) {
  StepSpec s = build::step("s", {"false"});
  s.expected_exit_code = 1;
  std::vector<AssertionResult> out;
  EXPECT_TRUE(check_step(s, exec(1, ""), out));
  ExecResult killed = exec(137, "");
  killed.timed_out = true;
  killed.term_signal = 9;
  s.expected_exit_code = 137;
  out.clear();
  EXPECT_TRUE(check_step(s, killed, out));
  s.expected_exit_code = 0;
  out.clear();
  EXPECT_FALSE(check_step(s, killed, out));
  EXPECT_NE(out[0].message.find("killed by its timeout"), std::string::npos);
}

TEST(TestAssertions, OnlySetKeysAreChecked) {
  std::vector<AssertionResult> out;
  EXPECT_TRUE(check_test_assertions(AssertionsSpec{}, TestFacts{}, out));
  EXPECT_TRUE(out.empty());
}

TEST(TestAssertions, MaxDurationAndCounts) {
  AssertionsSpec spec;
  spec.max_duration_ms = 100;
  spec.container_should_have_executed_commands = 2;
  spec.all_steps_should_pass = true;
  TestFacts facts;
  facts.duration = std::chrono::milliseconds(250);
  facts.steps_executed = 1;
  facts.all_steps_passed = true;
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_test_assertions(spec, facts, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[0].passed);
  EXPECT_NE(out[0].message.find("1 step(s) ran"), std::string::npos);
  EXPECT_TRUE(out[1].passed);
  EXPECT_FALSE(out[2].passed);
  EXPECT_NE(out[2].message.find("took 250 ms"), std::string::npos);
}

TEST(TestAssertions, HermeticNeedsCapabilitiesOwnPodAndIsolatedNetwork) {
  AssertionsSpec spec;
  spec.execution_should_be_hermetic = true;
  TestFacts facts;
  facts.own_pod = true;
  facts.network_isolated = true;
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_test_assertions(spec, facts, out));
  EXPECT_NE(out[0].message.find("does not isolate processes"), std::string::npos);
  facts.capabilities.hermetic = facts.capabilities.network_isolation = true;
  out.clear();
  EXPECT_TRUE(check_test_assertions(spec, facts, out));
  facts.network_isolated = false;
  out.clear();
  EXPECT_FALSE(check_test_assertions(spec, facts, out));
  EXPECT_NE(out[0].message.find("host network"), std::string::npos);
}

TEST(StepAssertions, DollarMatchesBeforeTheFinalNewline) {
  EXPECT_TRUE(output_matches(build::pattern("^hello$"), "hello\n"));
  EXPECT_TRUE(output_matches(build::pattern("^hello$"), "hello\r\n"));
  EXPECT_TRUE(output_matches(build::pattern("^hello$"), "hello"));
  EXPECT_FALSE(output_matches(build::pattern("^hello$"), "hello\n\n"));
  EXPECT_FALSE(output_matches(build::pattern("^hello$"), "hello world\n"));
  StepSpec s = build::step("s", {"echo"});
  s.expected_output_regex_not = build::pattern("^secret$");
  std::vector<AssertionResult> out;
  EXPECT_FALSE(check_step(s, exec(0, "secret\n"), out)) << "the negated form uses the same rule";
}

// Issue 14 item 12: every failed check of a step is printed, each with its
// expected vs actual, and each output stream once.
TEST(StepAssertions, SeveralFailedChecksAreAllDescribedWithEachStreamOnce) {
  StepSpec s = build::step("probe", {"sh", "-c", "x"});
  s.expected_output_regex = build::pattern("^ready$");
  s.expected_stderr_regex_not = build::pattern("Traceback");
  std::vector<AssertionResult> out;
  const ExecResult e = exec(2, "booting\n", "Traceback (most recent call last)\n");
  EXPECT_FALSE(check_step(s, e, out));
  const std::string m = describe_failed_checks(s, e, out);
  EXPECT_EQ(m.substr(0, m.find('\n')),
            "step 'probe' ([sh -c x]) failed 3 checks (exit_code, expected_output_regex, "
            "expected_stderr_regex_not):")
      << m;
  EXPECT_NE(m.find("\n  - exit_code: exited 2, expected exit code 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  - expected_output_regex: stdout did not match /^ready$/\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("\n  - expected_stderr_regex_not: stderr matched /Traceback/, which it must not"),
            std::string::npos)
      << m;
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = m.find(what); p != std::string::npos; p = m.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("actual stdout (tail):"), 1u) << m;
  EXPECT_EQ(count("actual stderr (tail):"), 1u) << m;
}

TEST(StepAssertions, ASingleFailedCheckKeepsItsOwnMessage) {
  StepSpec s = build::step("probe", {"true"});
  s.expected_output_regex = build::pattern("ready");
  std::vector<AssertionResult> out;
  const ExecResult e = exec(0, "booting\n");
  EXPECT_FALSE(check_step(s, e, out));
  EXPECT_EQ(describe_failed_checks(s, e, out), out[1].message);
}
