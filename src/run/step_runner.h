#pragma once
// Internal to src/run: running steps of one test inside its pod.

#include <clnrm/session.h>
#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clnrm::run {

using Clock = std::chrono::steady_clock;

struct RunningService {
  std::string_view name;
  ServiceInstance* instance = nullptr;
};

// Everything a step needs from its test. Cheap to copy (references + a
// deadline) so a scenario can narrow the deadline on its own copy.
struct StepContext {
  Session* env = nullptr;
  Metrics* metrics = nullptr;  // where the step's counters go; null: not collected
  Pod* pod = nullptr;
  const std::vector<RunningService>* services = nullptr;
  const EnvList* base_env = nullptr;  // CLNRM_TEST, CLNRM_SEED; sorted
  const CancelToken* cancel = nullptr;
  std::optional<Clock::time_point> deadline;  // the test's (or scenario's) deadline
  // Whose deadline that is, as failure messages name it.
  std::string deadline_owner = "the test's timeout";
  bool enforce_step_budgets = true;           // max_duration checked per run
  bool update_golden = false;                 // --update-golden (RunOptions::update_golden)
};

// Runs one step: exec (in its service or the pod), then its assertions.
// Never throws; backend errors become Status::Error.
StepResult run_step(const StepContext& ctx, const StepSpec& step, std::string_view scenario);

// A result for a step that was not run.
StepResult skipped_step(const StepSpec& step, std::string_view scenario, std::string reason);

// Runs `steps` in order. After a failing step without continue_on_failure,
// after a cancel or after the deadline the rest are appended as skipped and
// false is returned (the test stops).
bool run_sequence(const StepContext& ctx, const std::vector<StepSpec>& steps,
                  std::string_view scenario, std::vector<StepResult>& out);

// Runs a scenario: its steps in order, or all at once when concurrent.
bool run_scenario(const StepContext& ctx, const ScenarioSpec& scenario,
                  std::vector<StepResult>& out);

// step env = base env + CLNRM_STEP (unless !with_step_name) + the step's own
// (the step's win), sorted by key.
EnvList step_environment(const EnvList& base, std::string_view step_name, const EnvList& step_env,
                         bool with_step_name = true);

}  // namespace clnrm::run
