#pragma once
// Step and test assertions. Each check appends an AssertionResult (name,
// passed, message); a failed one's message shows the step, the command, the
// expectation and the tail of the actual output.

#include <clnrm/backend.h>
#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

// "step 'NAME' ([COMMAND])": how every message about a step begins.
std::string step_header(const StepSpec& step);

// Where a step's after-checks (expect_file, expect_http, expected_output_file)
// look and act.
struct StepSurroundings {
  // Runs a command in the step's filesystem (its service's when the step
  // names one), as a step runs: the file checks run there, so a path (or a
  // symbolic link) resolves inside the cleanroom, never on the host.
  std::function<ExecResult(const ProcessSpec&)> exec;
  Pod* pod = nullptr;  // its network: expect_http connects through Pod::connect_tcp
  const CancelToken* cancel = nullptr;
  // The test's (or scenario's) deadline: expect_http's request ends by it;
  // `deadline_owner` names it in the message when it has passed.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string deadline_owner = "the test's timeout";
  bool update_golden = false;  // clnrm run --update-golden
};

// The step's expect_file, expect_json (on stdout), expect_http and
// expected_output_file, after it ran: one AssertionResult each, all of them
// (not just up to the first failure). Returns true when all passed.
bool check_step_expectations(const StepSpec& step, const ExecResult& exec,
                             const StepSurroundings& where, std::vector<AssertionResult>& out);

// Why the value at `check.pointer` of the JSON `document` is not the expected
// one ("stdout at /a: expected 1, got 2"), or nullopt when it is. `what` names
// the document ("stdout", "the response body").
std::optional<std::string> json_mismatch(const JsonCheck& check, std::string_view document,
                                         std::string_view what);

// expect_file: one command looks at every path of a step's checks in the
// step's filesystem (one exec per step, not per check). Each path's answer
// ends with a line holding `nonce`, which nothing in the cleanroom can
// predict, so a file's content cannot fake the next path's answer.
ProcessSpec files_probe(const std::vector<FileCheck>& checks, const std::string& nonce);
// What the probe's result says against each check, in order: nullopt when it
// holds, else its mismatches joined by "; " (or why the path could not be
// looked at).
std::vector<std::optional<std::string>> files_mismatches(const std::vector<FileCheck>& checks,
                                                         const std::string& nonce,
                                                         const ExecResult& probe);

// expect_http: the request sent into the pod's network and what its response
// says against the check (each mismatch, joined by "; "), or nullopt.
// `limit`, when given, bounds the request's own timeout (the time the test
// has left).
std::optional<std::string> http_mismatch(const HttpCheck& check, Pod& pod,
                                         const CancelToken* cancel,
                                         std::optional<std::chrono::milliseconds> limit = std::nullopt);

// expected_output_file: `output` compared with the golden file (read without
// following any symbolic link below the test's directory), or, with
// `update`, written to it atomically. Fills `a` (name, passed, message).
void check_golden_file(const GoldenFile& golden, std::string_view output, bool update,
                       AssertionResult& a);

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
