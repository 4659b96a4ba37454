// Runs a plan on N worker lanes. Each lane takes the next test index from an
// atomic counter (no queue, no lock on the hot path); results land in their
// plan slot, so the report order is the plan order whatever the timing.
#include <clnrm/runner.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace clnrm {
namespace {

TestResult not_run(const TestSpec& spec, Session& env, std::string reason) {
  TestResult r;
  r.file = spec.file;
  r.name = spec.name;
  r.tags = spec.tags;
  r.level = spec.policy.level;
  r.backend = std::string(env.backend().name());
  r.status = Status::Skipped;
  r.message = std::move(reason);
  r.started = std::chrono::system_clock::now();
  return r;
}

}  // namespace

RunResult run_plan(Session& env, const std::vector<TestSpec>& tests, const Plan& plan,
                   const RunOptions& options) {
  RunResult run;
  run.session_id = env.session_id();
  run.backend = std::string(env.backend().name());
  run.started = std::chrono::system_clock::now();
  run.jobs = plan.jobs;
  const auto t0 = std::chrono::steady_clock::now();
  const int repeats = std::max(1, options.repeat);
  const int retries = std::max(0, options.retries);
  // One work item per (test, repeat); repeats of a test are adjacent.
  const std::size_t n = plan.order.size() * static_cast<std::size_t>(repeats);
  run.tests.resize(n);

  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex callback_mutex;

  auto lane = [&](int worker) {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return;
      const TestSpec& spec = tests[plan.order[i / static_cast<std::size_t>(repeats)]];
      const int repeat_index = static_cast<int>(i % static_cast<std::size_t>(repeats));
      TestResult& slot = run.tests[i];
      if (options.cancel && options.cancel->cancelled()) {
        slot = not_run(spec, env, "not run: the run was cancelled");
      } else if (stop.load(std::memory_order_acquire)) {
        slot = not_run(spec, env, "not run: --fail-fast stopped the run after a failure");
      } else {
        if (options.on_test_started) {
          std::lock_guard lock(callback_mutex);
          options.on_test_started(spec, worker);
        }
        TestContext ctx;
        ctx.worker = worker;
        ctx.cancel = options.cancel;
        ctx.default_timeout = options.default_test_timeout;
        ctx.seed = options.seed;
        ctx.repeat = repeat_index;
        ctx.enforce_step_budgets = options.step_budgets && repeats == 1;
        ctx.collect_metrics = options.collect_metrics;
        ctx.update_golden = options.update_golden;
        if (options.service_log_sink) ctx.service_log_sink = &options.service_log_sink;
        slot = run_test(env, spec, ctx);
        // Retries: each attempt gets a fresh cleanroom; only the last result
        // is kept, with the number of attempts and whether it was flaky.
        while (is_failure(slot.status) && slot.status != Status::Cancelled &&
               ctx.attempt <= retries && !(options.cancel && options.cancel->cancelled())) {
          ++ctx.attempt;
          if (options.collect_metrics) env.metrics().add(Metrics::Counter::Retries);
          const std::string previous = slot.message;
          // Earlier attempts stay in the result: a flaky pass is reported
          // with the failure it recovered from (console, JSON, HTML).
          std::vector<FailedAttempt> failed = std::move(slot.failed_attempts);
          failed.push_back({slot.attempts, slot.status, slot.message, failure_details(slot)});
          slot = run_test(env, spec, ctx);
          slot.failed_attempts = std::move(failed);
          if (slot.status == Status::Passed) {
            slot.flaky = true;
            slot.message = fmt::format("flaky: passed on attempt {} of {}; attempt {} failed: {}",
                                       ctx.attempt, retries + 1, ctx.attempt - 1, previous);
          }
        }
        slot.file_hash = hash_file(spec.file);
        if (options.fail_fast && is_failure(slot.status))
          stop.store(true, std::memory_order_release);
      }
      slot.repeat = repeat_index;
      if (options.on_test_finished) {
        std::lock_guard lock(callback_mutex);
        options.on_test_finished(slot);
      }
    }
  };

  if (plan.jobs <= 1 || n <= 1) {
    lane(0);
  } else {
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<std::size_t>(plan.jobs));
    for (int w = 0; w < plan.jobs; ++w) workers.emplace_back(lane, w);
  }
  run.duration = std::chrono::steady_clock::now() - t0;
  return run;
}

RunResult run_tests(Session& env, const std::vector<TestSpec>& tests,
                    const RunOptions& options) {
  return run_plan(env, tests, make_plan(tests, options), options);
}

}  // namespace clnrm
