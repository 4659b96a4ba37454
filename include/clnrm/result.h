#pragma once
// What a run produced. Written by the runner (src/run/), read by reporters
// (src/report/), the history store (src/history/) and metrics/trace export.
// Reporters only read these; they never call back into the runner.

#include <clnrm/backend.h>
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
  // When the start began (trace spans). Runner fills it; when left at the
  // epoch, exporters place the service right after the previous one.
  SystemTime started{};
  std::chrono::nanoseconds start_duration{0};  // process/container start
  std::chrono::nanoseconds ready_duration{0};  // readiness wait
  std::string message;  // why it failed to start or become ready, with its last log lines
};

struct TestResult {
  std::string file;
  std::string file_hash;  // content hash: history tells "flaky" from "changed"
  std::string name;
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
  int repeat = 0;         // 0-based index with --repeat N
  int worker = 0;         // which parallel lane ran it (HTML timeline)
  SystemTime started{};
  std::chrono::nanoseconds duration{0};
};

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
