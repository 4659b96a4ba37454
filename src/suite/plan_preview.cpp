#include "suite/plan_preview.h"

#include <clnrm/backend_choice.h>
#include <clnrm/runner.h>

#include <string>

#include "suite/planning.h"

namespace clnrm::suite {

SuitePlan preview_plan(const SuiteOptions& options, const std::vector<TestSpec>& tests,
                       SuiteObserver& observer) {
  SuitePlan preview;
  BackendChoiceOptions backend_options = options.backend_options;
  backend_options.reuse = backend_options.reuse || options.reuse_services;
  preview.backend = decide_backend(options.backend, tests, backend_options);

  RunOptions run_options = options.run;
  std::string planning_note;
  run_options.ordering = make_ordering(options.planning, options.history_db, planning_note);
  const Plan plan = make_plan(tests, run_options);
  if (!planning_note.empty()) observer.planning_note(planning_note);
  preview.jobs = plan.jobs;
  preview.tests.reserve(plan.order.size());
  for (std::size_t i : plan.order) preview.tests.push_back(tests[i]);
  return preview;
}

}  // namespace clnrm::suite
