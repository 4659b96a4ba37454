#pragma once
// Debouncing for clnrm run --watch: changed paths are gathered into one
// batch until the tree has been quiet for `quiet` (an editor's save is a
// burst: write a temporary file, rename it over the old one, chmod), or
// until `longest` has passed since the batch's first change, so a file
// rewritten without pause still gets a run. Time is passed in, never read,
// so tests drive it (tests/unit/change_batch_test.cpp).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace clnrm::cli {

class ChangeBatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ChangeBatch(std::chrono::milliseconds quiet = std::chrono::milliseconds(200),
                       std::chrono::milliseconds longest = std::chrono::seconds(2));

  // A change to `path` seen at `now`.
  void add(const std::string& path, Clock::time_point now);
  bool empty() const noexcept { return paths_.empty(); }
  // When the batch is due if nothing more changes; nullopt when empty.
  std::optional<Clock::time_point> due() const;
  bool ready(Clock::time_point now) const;
  // The changed paths, each once, in the order first seen; the batch is
  // empty afterwards.
  std::vector<std::string> take();

 private:
  std::chrono::milliseconds quiet_, longest_;
  std::vector<std::string> paths_;
  Clock::time_point first_{}, last_{};
};

}  // namespace clnrm::cli
