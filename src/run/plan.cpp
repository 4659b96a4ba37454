// Plan: which tests run, in which order, on how many lanes. The order is a
// hook (RunOptions::ordering) so history-based ordering and sharding plug in
// without touching the runner.
#include <clnrm/error.h>
#include <clnrm/runner.h>
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <thread>

namespace clnrm {

int effective_jobs(int requested, std::size_t tests) {
  int jobs = requested;
  if (jobs <= 0) {
    const unsigned cores = std::thread::hardware_concurrency();
    jobs = cores == 0 ? 1 : static_cast<int>(cores);
  }
  if (tests > 0 && static_cast<std::size_t>(jobs) > tests) jobs = static_cast<int>(tests);
  return std::max(jobs, 1);
}

Plan make_plan(const std::vector<TestSpec>& tests, const RunOptions& options) {
  Plan plan;
  if (options.ordering) {
    plan.order = options.ordering(tests);
    std::vector<bool> seen(tests.size(), false);
    for (std::size_t i : plan.order) {
      if (i >= tests.size())
        throw Error(ErrorKind::Internal,
                    fmt::format("test ordering returned index {} of {} tests", i, tests.size()));
      if (seen[i])
        throw Error(ErrorKind::Internal,
                    fmt::format("test ordering returned test '{}' twice", tests[i].name));
      seen[i] = true;
    }
  } else {
    plan.order.resize(tests.size());
    std::iota(plan.order.begin(), plan.order.end(), std::size_t{0});
  }
  plan.jobs = effective_jobs(options.jobs, plan.order.size());
  return plan;
}

}  // namespace clnrm
