// Step sequences and scenarios. A concurrent scenario runs every step on a
// thread of its own (really in parallel: the backend execs concurrently).
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "run/step_runner.h"

namespace clnrm::run {
namespace {

bool stops_test(const StepSpec& step, const StepResult& r) {
  if (r.status == Status::Passed) return false;
  if (r.status == Status::Cancelled || r.status == Status::TimedOut) return true;
  return !step.continue_on_failure;
}

std::string stop_reason(const StepResult& r) {
  if (r.status == Status::Cancelled) return "not run: the run was cancelled";
  if (r.status == Status::TimedOut) return fmt::format("not run: step '{}' timed out", r.name);
  return fmt::format("not run: step '{}' failed", r.name);
}

}  // namespace

bool run_sequence(const StepContext& ctx, const std::vector<StepSpec>& steps,
                  std::string_view scenario, std::vector<StepResult>& out) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (ctx.cancel && ctx.cancel->cancelled()) {
      for (std::size_t j = i; j < steps.size(); ++j)
        out.push_back(skipped_step(steps[j], scenario, "not run: the run was cancelled"));
      return false;
    }
    out.push_back(run_step(ctx, steps[i], scenario));
    if (stops_test(steps[i], out.back())) {
      std::string reason = stop_reason(out.back());
      for (std::size_t j = i + 1; j < steps.size(); ++j)
        out.push_back(skipped_step(steps[j], scenario, reason));
      return false;
    }
  }
  return true;
}

bool run_scenario(const StepContext& outer, const ScenarioSpec& scenario,
                  std::vector<StepResult>& out) {
  StepContext ctx = outer;
  if (scenario.timeout) {
    const auto scenario_deadline = Clock::now() + *scenario.timeout;
    if (!ctx.deadline || scenario_deadline < *ctx.deadline) {
      ctx.deadline = scenario_deadline;
      ctx.deadline_owner = fmt::format("scenario '{}' timeout {}", scenario.name,
                                       format_duration(*scenario.timeout));
    }
  }
  if (!scenario.concurrent || scenario.steps.size() < 2)
    return run_sequence(ctx, scenario.steps, scenario.name, out);

  std::vector<StepResult> results(scenario.steps.size());
  {
    std::vector<std::jthread> threads;
    threads.reserve(scenario.steps.size() - 1);
    for (std::size_t i = 1; i < scenario.steps.size(); ++i)
      threads.emplace_back(
          [&, i] { results[i] = run_step(ctx, scenario.steps[i], scenario.name); });
    results[0] = run_step(ctx, scenario.steps[0], scenario.name);
  }  // jthreads join here
  bool go_on = true;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (stops_test(scenario.steps[i], results[i])) go_on = false;
    out.push_back(std::move(results[i]));
  }
  return go_on;
}

}  // namespace clnrm::run
