#pragma once
// SuiteOptions::select: which parsed tests take part. Applied after parsing
// (every file is still parsed: an invalid file stops the run whatever is
// selected) and before the plan, so order, shard and rerun-failed work on the
// selected tests only (docs/running-tests.md, "Choosing tests").

#include <clnrm/spec.h>
#include <clnrm/suite.h>

#include <functional>
#include <vector>

namespace clnrm::suite {

// The predicate of SuiteOptions::filter and ::select together; null when
// neither selects. Throws Error(Usage) for a bad filter (make_test_filter).
std::function<bool(const TestSpec&)> combined_selection(const SuiteOptions& options);

// Keeps the tests `select` accepts, in their order, and tells `observer`
// how many of how many were kept (a planning note).
void apply_selection(const std::function<bool(const TestSpec&)>& select,
                     std::vector<TestSpec>& tests, SuiteObserver& observer);

}  // namespace clnrm::suite
