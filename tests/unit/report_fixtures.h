#pragma once
// A RunResult with one test of each interesting shape, for reporter tests.
#include <clnrm/result.h>

namespace report_fixture {

inline clnrm::RunResult sample_run() {
  using namespace clnrm;
  RunResult run;
  run.session_id = "abc123def456";
  run.backend = "sandbox";
  run.started = SystemTime(std::chrono::seconds(1'764'384'000));
  run.duration = std::chrono::milliseconds(2345);
  run.jobs = 2;

  TestResult pass;
  pass.file = "examples/cli/hello.clnrm.toml";
  pass.name = "hello";
  pass.status = Status::Passed;
  pass.duration = std::chrono::microseconds(12'345'678);
  pass.started = run.started;
  StepResult s;
  s.name = "greet";
  s.command = {"echo", "hello"};
  s.status = Status::Passed;
  s.exec.exit_code = 0;
  s.exec.stdout_data = "hello <world> & \"friends\"\n";
  s.exec.stderr_data = std::string(
      "bad\x01"
      "byte \xff\xfe end\n");
  s.duration = std::chrono::milliseconds(3);
  s.assertions.push_back({"exit_code", true, ""});
  pass.steps.push_back(s);
  run.tests.push_back(pass);

  TestResult fail;
  fail.file = "examples/failing/bad.clnrm.toml";
  fail.name = "bad <one>";
  fail.status = Status::Failed;
  fail.message = "step 'check' ([grep x]) did not match /x/";
  fail.duration = std::chrono::milliseconds(500);
  StepResult f = s;
  f.name = "check";
  f.status = Status::Failed;
  f.message = "step 'check' ([grep x]) did not match /x/\n  actual stdout (tail):\n    | nope";
  fail.steps.push_back(f);
  run.tests.push_back(fail);

  TestResult timeout;
  timeout.file = "examples/timeout.clnrm.toml";
  timeout.name = "hangs";
  timeout.status = Status::TimedOut;
  timeout.message = "test timeout 1s passed";
  run.tests.push_back(timeout);

  TestResult skipped;
  skipped.file = "examples/timeout.clnrm.toml";
  skipped.name = "later";
  skipped.status = Status::Skipped;
  skipped.message = "not run: --fail-fast";
  run.tests.push_back(skipped);

  TestResult error;
  error.file = "examples/svc.clnrm.toml";
  error.name = "svc";
  error.status = Status::Error;
  error.message = "service 'db': not ready";
  ServiceResult sr;
  sr.name = "db";
  sr.plugin = "process";
  sr.message = "service 'db': not ready after 10s\n  last log lines:\n    | oops";
  error.services.push_back(sr);
  run.tests.push_back(error);
  return run;
}

}  // namespace report_fixture
