#pragma once
// Test helpers for the history store: synthetic results (and the TempDir
// their databases live in).

#include <clnrm/history.h>

#include <string>

#include "support/temp_dir.h"

namespace clnrm::testing {

inline TestResult make_test(const std::string& name, Status status,
                            std::chrono::milliseconds duration, const std::string& hash = "h1",
                            int steps = 1) {
  TestResult t;
  t.file = "tests/" + name + ".clnrm.toml";
  t.file_hash = hash;
  t.name = name;
  t.status = status;
  t.duration = duration;
  t.started = std::chrono::system_clock::now();
  t.message = status == Status::Passed ? "" : "step 'check' failed: exit code 1 after 12ms";
  for (int i = 0; i < steps; ++i) {
    StepResult s;
    s.name = "step" + std::to_string(i);
    s.status = status;
    s.duration = duration / (steps + 1);
    s.exec.exit_code = status == Status::Passed ? 0 : 1;
    s.exec.usage.user_cpu = std::chrono::microseconds(1000 + i);
    s.exec.usage.max_rss_kb = 2048 + i;
    t.steps.push_back(s);
  }
  return t;
}

// One complete run with these tests; returns its id.
inline std::int64_t record_run(history::Store& store, const std::vector<TestResult>& tests,
                               const std::string& commit = "") {
  auto meta = history::collect_run_meta("null", "--test");
  meta.git_commit = commit;
  const auto run = store.begin_run(meta);
  RunResult result;
  result.backend = "null";
  result.started = std::chrono::system_clock::now();
  result.tests = tests;
  for (const auto& t : tests) store.record_test(run, t);
  store.finish_run(run, result);
  return run;
}

}  // namespace clnrm::testing
