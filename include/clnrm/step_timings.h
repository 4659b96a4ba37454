#pragma once
// Per-step timing statistics over `clnrm run --repeat N`, and the steps'
// `max_duration` budgets checked against the median of those repeats.

#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace clnrm {

struct StepTiming {
  std::string file;
  std::string test;
  std::string scenario;  // empty for top-level steps
  std::string step;
  int runs = 0;  // repeats in which the step ran (skipped ones are left out)
  std::chrono::nanoseconds min{0}, median{0}, p95{0}, max{0};
  std::optional<Duration> budget;  // the step's max_duration
  bool over_budget = false;        // median > budget
};

// Nearest-rank percentile (p in [0,100]) of `values` (sorted in place).
std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds>& values, double p);

// One entry per (file, test, scenario, step), in the order they first appear
// in `run`. Budgets come from the matching StepSpec in `tests`.
std::vector<StepTiming> step_timings(const RunResult& run, const std::vector<TestSpec>& tests);

// Fails every repeat of a step whose median is over its budget: the step's
// result gets a failing "max_duration" assertion (naming step, median and
// budget) and a passing test becomes Failed. Returns how many steps were over.
int apply_step_budgets(RunResult& run, const std::vector<StepTiming>& timings);

// "step 'x' (test 'y'): median 250ms over max_duration 200ms (5 runs)"
std::string describe_budget_failure(const StepTiming& timing);

// [{"file","test","scenario","step","runs","min_ms","median_ms","p95_ms","max_ms",
//   "max_duration_ms"(or null),"over_budget"}]
nlohmann::json step_timings_to_json(const std::vector<StepTiming>& timings);

}  // namespace clnrm
