#pragma once
// Step and test assertions. Each check appends an AssertionResult (name,
// passed, message); a failed one's message shows the step, the command, the
// expectation and the tail of the actual output.

#include <clnrm/backend.h>
#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <vector>

namespace clnrm {

// True when `pattern` matches `text`, or `text` without its final newline
// (so `^hello$` matches the output "hello\n" of `echo hello`).
bool output_matches(const Pattern& pattern, std::string_view text);

// Checks exit code, expected_output_regex(_not), expected_stderr_regex(_not).
// A step killed by its timeout passes the exit-code check only when the test
// expects exactly that kill (expected_exit_code = 137 for SIGKILL): that is
// how a test declares an expected timeout. Returns true when all passed.
bool check_step(const StepSpec& step, const ExecResult& exec, std::vector<AssertionResult>& out);

// The message of a step whose checks failed: a single failed check's message
// as it is; for several, one line naming them, each one's expected vs actual
// on a line of its own, then the output tails they refer to, once each.
std::string describe_failed_checks(const StepSpec& step, const ExecResult& exec,
                                   const std::vector<AssertionResult>& checks);

// What the runner knows about a finished test, for the [assertions] table.
struct TestFacts {
  Capabilities capabilities;       // of the backend that ran it
  bool own_pod = false;            // the test ran in a cleanroom of its own
  bool network_isolated = false;   // ... with a private network (no host network)
  std::size_t steps_executed = 0;  // steps that ran (not skipped)
  bool all_steps_passed = false;
  std::chrono::nanoseconds duration{0};
};

// Checks the keys set in `spec`. Returns true when all passed.
bool check_test_assertions(const AssertionsSpec& spec, const TestFacts& facts,
                           std::vector<AssertionResult>& out);

}  // namespace clnrm
