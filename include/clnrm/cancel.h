#pragma once
// Cooperative cancellation: set once by a signal handler or the runner
// (--fail-fast, test timeout); long operations poll it and give up promptly.

#include <atomic>

namespace clnrm {

class CancelToken {
 public:
  void cancel() noexcept { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace clnrm
