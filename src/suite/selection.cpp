#include "suite/selection.h"

#include <fmt/format.h>

namespace clnrm::suite {

std::function<bool(const TestSpec&)> combined_selection(const SuiteOptions& options) {
  if (options.filter.empty()) return options.select;
  std::function<bool(const TestSpec&)> by_filter = make_test_filter(options.filter);
  if (!options.select) return by_filter;
  return [by_filter = std::move(by_filter), select = options.select](const TestSpec& t) {
    return by_filter(t) && select(t);
  };
}

void apply_selection(const std::function<bool(const TestSpec&)>& select,
                     std::vector<TestSpec>& tests, SuiteObserver& observer) {
  const std::size_t before = tests.size();
  std::erase_if(tests, [&](const TestSpec& t) { return !select(t); });
  observer.planning_note(fmt::format("selected {} of {} test{} ({} deselected)", tests.size(),
                                     before, before == 1 ? "" : "s", before - tests.size()));
}

}  // namespace clnrm::suite
