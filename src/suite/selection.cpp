#include "suite/selection.h"

#include <fmt/format.h>

namespace clnrm::suite {

void apply_selection(const std::function<bool(const TestSpec&)>& select,
                     std::vector<TestSpec>& tests, SuiteObserver& observer) {
  const std::size_t before = tests.size();
  std::erase_if(tests, [&](const TestSpec& t) { return !select(t); });
  observer.planning_note(fmt::format("selected {} of {} test{} ({} deselected)", tests.size(),
                                     before, before == 1 ? "" : "s", before - tests.size()));
}

}  // namespace clnrm::suite
