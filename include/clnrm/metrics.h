#pragma once
// Session-wide counters. Increments are relaxed atomics (no lock); a snapshot
// is a plain copy, cheap enough to take per test.

#include <atomic>
#include <cstdint>

namespace clnrm {

struct StepResult;
struct TestResult;

struct MetricsSnapshot {
  std::uint64_t tests_started = 0;
  std::uint64_t tests_passed = 0;
  std::uint64_t tests_failed = 0;
  std::uint64_t steps_run = 0;
  std::uint64_t steps_failed = 0;
  std::uint64_t services_started = 0;
  std::uint64_t containers_created = 0;
  std::uint64_t containers_reused = 0;
  std::uint64_t retries = 0;
  std::uint64_t step_wall_ns = 0;
  std::uint64_t step_user_cpu_us = 0;
  std::uint64_t step_system_cpu_us = 0;
};

class Metrics {
 public:
  enum class Counter : unsigned {
    TestsStarted,
    TestsPassed,
    TestsFailed,
    StepsRun,
    StepsFailed,
    ServicesStarted,
    ContainersCreated,
    ContainersReused,
    Retries,
    StepWallNs,
    StepUserCpuUs,
    StepSystemCpuUs,
    kCount
  };

  void add(Counter c, std::uint64_t n = 1) noexcept {
    counters_[static_cast<unsigned>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t get(Counter c) const noexcept {
    return counters_[static_cast<unsigned>(c)].load(std::memory_order_relaxed);
  }
  MetricsSnapshot snapshot() const noexcept;
  void reset() noexcept;

 private:
  std::atomic<std::uint64_t> counters_[static_cast<unsigned>(Counter::kCount)]{};
};

// Recording helpers for the runner: one call per finished step / test.
// Steps: StepsRun, StepsFailed, StepWallNs, StepUserCpuUs, StepSystemCpuUs.
// Tests: TestsPassed or TestsFailed, Retries (attempts - 1). TestsStarted,
// ServicesStarted and Containers* are counted where they happen (runner,
// Session::start_service: an adopted `reuse = true` service counts as
// ContainersReused, any other as ServicesStarted and ContainersCreated).
void record_step_metrics(Metrics& metrics, const StepResult& step) noexcept;
void record_test_metrics(Metrics& metrics, const TestResult& test) noexcept;

}  // namespace clnrm
