#include <clnrm/metrics.h>

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

}  // namespace clnrm
