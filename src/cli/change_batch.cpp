// ChangeBatch (change_batch.h): the debounce of clnrm run --watch.
#include "cli/change_batch.h"

#include <algorithm>

namespace clnrm::cli {

ChangeBatch::ChangeBatch(std::chrono::milliseconds quiet, std::chrono::milliseconds longest)
    : quiet_(quiet), longest_(std::max(longest, quiet)) {}

void ChangeBatch::add(const std::string& path, Clock::time_point now) {
  if (paths_.empty()) first_ = now;
  last_ = now;
  if (std::find(paths_.begin(), paths_.end(), path) == paths_.end()) paths_.push_back(path);
}

std::optional<ChangeBatch::Clock::time_point> ChangeBatch::due() const {
  if (paths_.empty()) return std::nullopt;
  return std::min(last_ + quiet_, first_ + longest_);
}

bool ChangeBatch::ready(Clock::time_point now) const {
  const auto when = due();
  return when && now >= *when;
}

std::vector<std::string> ChangeBatch::take() {
  std::vector<std::string> out;
  out.swap(paths_);
  return out;
}

}  // namespace clnrm::cli
