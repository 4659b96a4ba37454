#pragma once
// SuiteOptions::plan_only (clnrm run --list / --dry-run): the plan a run
// would follow, made by the same calls as the run's (decide_backend instead
// of choose_backend, so no backend is made), with nothing started: no
// sandbox probe, no pod, no container, no history row, no output file.

#include <clnrm/spec.h>
#include <clnrm/suite.h>

#include <vector>

namespace clnrm::suite {

// The selected `tests` (file order) in plan order, the lanes and the backend
// that would run them. Reads history (read-only) when the planning needs it.
SuitePlan preview_plan(const SuiteOptions& options, const std::vector<TestSpec>& tests,
                       SuiteObserver& observer);

}  // namespace clnrm::suite
