#pragma once
// What a run produced. Written by the runner (src/run/), read by reporters
// (src/report/), the history store (src/history/) and metrics/trace export.
// Reporters only read these; they never call back into the runner.

#include <clnrm/exec_result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <string>
#include <vector>

namespace clnrm {

enum class Status {
  Passed,
  Failed,    // an assertion did not hold
  Error,     // could not run it (bad config, backend failure, service never ready)
  TimedOut,  // the step's or test's timeout passed
  Skipped,   // not run (--fail-fast, an earlier step failed)
  Cancelled  // SIGINT / SIGTERM
};
std::string_view to_string(Status status) noexcept;
inline bool is_failure(Status s) noexcept {
  return s == Status::Failed || s == Status::Error || s == Status::TimedOut || s == Status::Cancelled;
}

using SystemTime = std::chrono::system_clock::time_point;

struct AssertionResult {
  std::string name;     // "exit_code", "expected_output_regex", "execution_should_be_hermetic", ...
  bool passed = false;
  std::string message;  // why it failed: expected vs actual, output tail
};

struct StepResult {
  std::string name;
  std::string scenario;  // empty for top-level [[steps]]
  std::vector<std::string> command;
  std::string service;   // empty: ran in a fresh step sandbox
  Status status = Status::Skipped;
  ExecResult exec;       // exit code, output, resource usage
  std::vector<AssertionResult> assertions;
  std::string message;   // first failing assertion's message, or the error
  SystemTime started{};
  std::chrono::nanoseconds duration{0};
};

struct ServiceResult {
  std::string name;
  std::string plugin;
  std::string image;
  std::string id;
  bool reused = false;
  bool pooled = false;  // a never-used container from the fresh pool (docker --pool)
  // When the start began (trace spans). Runner fills it; when left at the
  // epoch, exporters place the service right after the previous one.
  SystemTime started{};
  std::chrono::nanoseconds start_duration{0};  // process/container start
  std::chrono::nanoseconds ready_duration{0};  // readiness wait
  std::string message;  // why it failed to start or become ready, with its last log lines
  // Set on a failed test only, read before teardown (a crashed service's
  // traceback is often the real cause of a step's failure): the service's
  // state then ("running", "exited (exit code 1)"; "" when the backend cannot
  // tell) and the end of its combined stdout+stderr, at most
  // kServiceLogTailLines lines and kServiceLogTailBytes bytes.
  bool log_captured = false;
  std::string state;
  std::string log_tail;
};

inline constexpr std::size_t kServiceLogTailLines = 50;
inline constexpr std::size_t kServiceLogTailBytes = 8192;

// An attempt that failed before the one whose result is kept (--retries).
struct FailedAttempt {
  int attempt = 1;   // 1-based
  Status status = Status::Failed;
  std::string message;  // its TestResult::message
  std::string details;  // failure_details() of that attempt
};

struct TestResult {
  std::string file;
  std::string file_hash;  // content hash: history tells "flaky" from "changed"
  std::string name;
  std::vector<std::string> tags;  // the file's `tags`, shown by every report
  Status status = Status::Skipped;
  std::string message;  // the first failure, one line
  std::vector<ServiceResult> services;
  std::vector<StepResult> steps;
  std::vector<AssertionResult> assertions;  // [assertions] table
  SecurityLevel level = SecurityLevel::Medium;
  std::string backend;
  // Which mechanism enforced each isolation setting (Pod::enforced_limits()),
  // so reports say what was enforced and how, never just the level's name.
  std::vector<EnforcedLimit> enforced;
  int attempts = 1;       // > 1 when --retries was used
  bool flaky = false;     // passed only after a retry
  std::vector<FailedAttempt> failed_attempts;  // earlier attempts, in order (--retries)
  int repeat = 0;         // 0-based index with --repeat N
  int worker = 0;         // which parallel lane ran it (HTML timeline)
  SystemTime started{};
  std::chrono::nanoseconds duration{0};
};

// Every failure of `test` in full, blank-line separated: services' messages,
// failing steps' messages, failed [assertions]; `test.message` when none.
// What JUnit's <failure> body and a failed attempt's record carry.
std::string failure_details(const TestResult& test);

// A captured service log tail as text: "service 'api' (exited (exit code
// 1)), the end of its output:" and its lines indented by "  | "; "" when no
// tail was captured or the service's own message (a readiness failure)
// already shows it. Not escaped: each reporter escapes for its medium.
std::string service_log_report(const ServiceResult& service);
// service_log_report() of every service of `test`, each ending in a newline.
std::string service_logs_report(const TestResult& test);

struct RunResult {
  std::string session_id;
  std::string backend;
  SystemTime started{};
  std::chrono::nanoseconds duration{0};
  int jobs = 1;
  std::vector<TestResult> tests;  // in plan order

  std::size_t count(Status s) const;
  bool all_passed() const;
  // 0 when every test passed, 1 otherwise (configuration errors exit 2 earlier).
  int exit_code() const;
};

}  // namespace clnrm
