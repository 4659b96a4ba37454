// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/pod_releases.h"

#include <utility>

namespace clnrm::sandbox {

void PodLeftovers::release() noexcept {
  for (UniqueFd& fd : namespaces) fd.reset();
  cgroups.remove();
}

PodReleases::PodReleases(std::function<bool()> wake) : wake_(std::move(wake)) {}

bool PodReleases::hand_over(PodLeftovers& leftovers) noexcept {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  try {
    queue_.push_back(std::move(leftovers));
  } catch (...) {
    return false;  // nothing was moved
  }
  if (wake_()) return true;
  leftovers = std::move(queue_.back());
  queue_.pop_back();
  return false;
}

void PodReleases::release_queued() noexcept {
  std::unique_lock lock(mutex_);
  while (!queue_.empty()) {
    PodLeftovers next = std::move(queue_.front());
    queue_.pop_front();
    ++releasing_;
    lock.unlock();
    next.release();
    lock.lock();
    --releasing_;
  }
  if (releasing_ == 0) idle_.notify_all();
}

void PodReleases::wait_until_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && releasing_ == 0; });
}

void PodReleases::close() noexcept {
  std::unique_lock lock(mutex_);
  closed_ = true;
  wake_ = nullptr;
  lock.unlock();
  release_queued();
  lock.lock();
  idle_.wait(lock, [&] { return queue_.empty() && releasing_ == 0; });
}

}  // namespace clnrm::sandbox
