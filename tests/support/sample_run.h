#pragma once
// A RunResult shaped like a real run (services, steps, assertions, resource
// usage, awkward names), for reporter tests and benchmarks. Header-only so
// tests/ and bench/ share it.

#include <clnrm/result.h>

#include <chrono>
#include <string>

namespace clnrm::testing {

inline RunResult make_sample_run(int tests, int steps_per_test = 3, int services_per_test = 2) {
  using namespace std::chrono;
  RunResult run;
  run.session_id = "0123456789ab";
  run.backend = "sandbox";
  run.jobs = 2;
  run.started = SystemTime{seconds{1735689600}};
  auto clock = run.started;
  for (int t = 0; t < tests; ++t) {
    TestResult test;
    test.name = t == 0 ? "quote\"back\\slash\nnewline" : "test_" + std::to_string(t);
    test.file = "tests/suite_" + std::to_string(t % 7) + ".clnrm.toml";
    test.status = t % 5 == 4 ? Status::Failed : Status::Passed;
    test.message = test.status == Status::Failed ? "step 'check': exit code 1, expected 0" : "";
    test.level = t % 3 == 0 ? SecurityLevel::High : SecurityLevel::Medium;
    test.backend = t % 2 ? "docker" : "sandbox";
    test.attempts = t % 10 == 9 ? 2 : 1;
    test.worker = t % 2;
    test.started = clock;
    for (int s = 0; s < services_per_test; ++s) {
      ServiceResult svc;
      svc.name = "svc" + std::to_string(s);
      svc.plugin = "generic_container";
      svc.image = "clnrm-test/redis";
      svc.id = "c" + std::to_string(t) + "_" + std::to_string(s);
      svc.reused = s == 1 && t % 4 == 0;
      svc.started = clock;
      svc.start_duration = milliseconds{5 + s};
      svc.ready_duration = milliseconds{20 + s};
      clock += svc.start_duration + svc.ready_duration;
      test.services.push_back(svc);
    }
    for (int k = 0; k < steps_per_test; ++k) {
      StepResult step;
      step.name = k == steps_per_test - 1 ? "check" : "step_" + std::to_string(k);
      step.command = {"sh", "-c", "echo \"hi\" && exit 0"};
      step.service = k == 0 ? "svc0" : "";
      step.status = (test.status == Status::Failed && k == steps_per_test - 1) ? Status::Failed
                                                                               : Status::Passed;
      step.exec.exit_code = step.status == Status::Failed ? 1 : 0;
      step.exec.stdout_data = "hi\n";
      step.exec.usage.wall = milliseconds{3 + k};
      step.exec.usage.user_cpu = microseconds{1200 + k};
      step.exec.usage.system_cpu = microseconds{800};
      step.exec.usage.max_rss_kb = 2048 + k;
      step.started = clock;
      step.duration = milliseconds{3 + k};
      step.assertions.push_back({"exit_code", step.status == Status::Passed,
                                 step.status == Status::Passed ? "" : "expected 0, got 1"});
      if (k % 2 == 0) step.assertions.push_back({"expected_output_regex", true, ""});
      step.message = step.status == Status::Passed ? "" : "expected 0, got 1";
      clock += step.duration;
      test.steps.push_back(step);
    }
    test.assertions.push_back({"all_steps_should_pass", test.status == Status::Passed, ""});
    test.duration = duration_cast<nanoseconds>(clock - test.started) + milliseconds{1};
    clock += milliseconds{1};
    run.tests.push_back(std::move(test));
  }
  run.duration = duration_cast<nanoseconds>(clock - run.started);
  return run;
}

}  // namespace clnrm::testing
