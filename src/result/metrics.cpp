#include <clnrm/metrics.h>
#include <clnrm/result.h>

namespace clnrm {

MetricsSnapshot Metrics::snapshot() const noexcept {
  MetricsSnapshot s;
  s.tests_started = get(Counter::TestsStarted);
  s.tests_passed = get(Counter::TestsPassed);
  s.tests_failed = get(Counter::TestsFailed);
  s.steps_run = get(Counter::StepsRun);
  s.steps_failed = get(Counter::StepsFailed);
  s.services_started = get(Counter::ServicesStarted);
  s.containers_created = get(Counter::ContainersCreated);
  s.containers_reused = get(Counter::ContainersReused);
  s.retries = get(Counter::Retries);
  s.step_wall_ns = get(Counter::StepWallNs);
  s.step_user_cpu_us = get(Counter::StepUserCpuUs);
  s.step_system_cpu_us = get(Counter::StepSystemCpuUs);
  return s;
}

void Metrics::reset() noexcept {
  for (auto& c : counters_) c.store(0, std::memory_order_relaxed);
}

void record_step_metrics(Metrics& m, const StepResult& step) noexcept {
  // Zero amounts are skipped: a branch is cheaper than an atomic add, and the
  // null backend (the overhead benchmark) reports no CPU time.
  auto add_positive = [&m](Metrics::Counter c, std::int64_t v) {
    if (v > 0) m.add(c, static_cast<std::uint64_t>(v));
  };
  m.add(Metrics::Counter::StepsRun);
  if (is_failure(step.status)) m.add(Metrics::Counter::StepsFailed);
  add_positive(Metrics::Counter::StepWallNs, step.duration.count());
  add_positive(Metrics::Counter::StepUserCpuUs, step.exec.usage.user_cpu.count());
  add_positive(Metrics::Counter::StepSystemCpuUs, step.exec.usage.system_cpu.count());
}

void record_test_metrics(Metrics& m, const TestResult& test) noexcept {
  if (test.status == Status::Passed)
    m.add(Metrics::Counter::TestsPassed);
  else if (is_failure(test.status))
    m.add(Metrics::Counter::TestsFailed);
  if (test.attempts > 1)
    m.add(Metrics::Counter::Retries, static_cast<std::uint64_t>(test.attempts - 1));
}

}  // namespace clnrm
