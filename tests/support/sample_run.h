#pragma once
// Realistic RunResults shared by reporter tests and benchmarks (header-only):
// sample_run() is a hand-shaped 4-lane run with every status and history
// trends (HTML report); make_sample_run(n) generates n tests with services,
// steps, assertions, resource usage and awkward names (telemetry exporters).

#include <clnrm/html_report.h>
#include <clnrm/result.h>

#include <chrono>
#include <cmath>
#include <string>

namespace clnrm::testing {

inline RunResult sample_run() {
  using namespace std::chrono;
  RunResult run;
  run.session_id = "3f9a0c12be47";
  run.backend = "sandbox";
  run.jobs = 4;
  run.started = system_clock::time_point(seconds(1764380000));
  struct Spec {
    const char* name;
    Status status;
    int ms;
    int lane;
    int start_ms;
  };
  const Spec specs[] = {
      {"orders_api", Status::Passed, 4200, 0, 0},
      {"redis_cache", Status::Failed, 1300, 1, 0},
      {"login_flow", Status::Passed, 2100, 2, 0},
      {"search_index", Status::Passed, 3100, 3, 0},
      {"payments", Status::TimedOut, 2500, 1, 1350},
      {"inventory", Status::Passed, 900, 2, 2150},
      {"emails", Status::Passed, 1700, 2, 3100},
      {"postgres_migrations", Status::Passed, 1200, 3, 3150},
      {"kafka_consumer", Status::Passed, 1800, 1, 3900},
      {"cli_smoke", Status::Passed, 350, 0, 4250},
      {"auth_tokens", Status::Passed, 700, 0, 4650},
      {"report_export", Status::Error, 400, 3, 4400},
      {"cache_eviction", Status::Passed, 600, 2, 4850},
      {"docs_links", Status::Skipped, 0, 0, 5400},
  };
  for (const auto& s : specs) {
    TestResult t;
    t.name = s.name;
    t.file = std::string("tests/") + s.name + ".clnrm.toml";
    t.file_hash = "abc";
    t.status = s.status;
    t.worker = s.lane;
    t.backend = "sandbox";
    t.started = run.started + milliseconds(s.start_ms);
    t.duration = milliseconds(s.ms);
    const int nsteps = s.status == Status::Skipped ? 0 : 3;
    for (int i = 0; i < nsteps; ++i) {
      StepResult st;
      st.name = i == 0 ? "start" : (i == 1 ? "exercise" : "verify");
      st.command = {"sh", "-c", std::string("echo step ") + st.name};
      st.status = Status::Passed;
      st.duration = milliseconds(s.ms * (i + 1) / 7);
      st.started = t.started + milliseconds(s.ms * i / 3);
      st.exec.exit_code = 0;
      st.exec.usage.user_cpu = microseconds(s.ms * 120 * (i + 1));
      st.exec.usage.system_cpu = microseconds(s.ms * 30);
      st.exec.usage.max_rss_kb = 8000 + 1500 * i;
      t.steps.push_back(st);
    }
    if (s.status == Status::Failed) {
      auto& st = t.steps.back();
      st.status = Status::Failed;
      st.exec.exit_code = 1;
      st.exec.stdout_data = "PING\n<script>alert('x')</script> & friends\nGET key:42 -> (nil)\n";
      st.exec.stderr_data = "redis-cli: expected \"PONG\" but got \"(nil)\"\n";
      st.assertions.push_back(
          {"expected_output_regex", false, "pattern 'PONG' not found in stdout"});
      st.message = "expected_output_regex: pattern 'PONG' not found in stdout";
      t.message = "step 'verify' failed: expected_output_regex 'PONG' not found";
    } else if (s.status == Status::TimedOut) {
      auto& st = t.steps.back();
      st.status = Status::TimedOut;
      st.exec.exit_code = 137;
      st.exec.timed_out = true;
      st.exec.stdout_data = "charging card...\n";
      st.message = "step timed out after 2s";
      t.message = "step 'verify' timed out after 2s";
    } else if (s.status == Status::Error) {
      t.steps.clear();
      ServiceResult svc;
      svc.name = "db";
      svc.plugin = "generic_container";
      svc.message =
          "service 'db' never became ready: port 5432 closed after 10s\nlast log: FATAL: role "
          "\"app\" does not exist";
      t.services.push_back(svc);
      t.message = "service 'db' never became ready";
    }
    if (std::string(s.name) == "login_flow") {
      t.attempts = 2;
      t.flaky = true;
    }
    run.tests.push_back(t);
  }
  run.duration = milliseconds(5700);
  return run;
}

inline report::TrendsByTest sample_trends() {
  report::TrendsByTest trends;
  const char* names[] = {"orders_api", "redis_cache", "login_flow",    "search_index",
                         "payments",   "inventory",   "emails",        "kafka_consumer",
                         "cli_smoke",  "auth_tokens", "cache_eviction"};
  int k = 0;
  for (const char* n : names) {
    report::DurationTrend t;
    for (int i = 0; i < 20; ++i) {
      const double base = 0.5 + k * 0.3;
      const double step = (k % 3 == 0 && i >= 12) ? 2.0 : 1.0;  // some got slower
      t.seconds.push_back(base * step * (1 + 0.08 * std::sin(i * 1.7 + k)));
      t.failed.push_back(std::string(n) == "redis_cache" && i % 3 == 2);
    }
    trends[n] = t;
    ++k;
  }
  return trends;
}




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
