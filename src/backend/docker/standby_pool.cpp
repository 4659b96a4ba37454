#include "backend/docker/standby_pool.h"

#include <clnrm/error.h>

namespace clnrm::docker {

std::optional<StandbyContainer> StandbyPool::take(const std::string& key, const Factory& factory) {
  std::future<StandbyContainer> ready;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return std::nullopt;
    if (auto it = pending_.find(key); it != pending_.end()) {
      ready = std::move(it->second);
      pending_.erase(it);
    }
    pending_[key] = std::async(std::launch::async, factory);
  }
  if (!ready.valid()) return std::nullopt;
  try {
    return ready.get();
  } catch (const std::exception&) {
    return std::nullopt;  // the caller creates one itself and reports its errors
  }
}

std::vector<std::string> StandbyPool::shut_down() {
  std::map<std::string, std::future<StandbyContainer>> pending;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    pending.swap(pending_);
  }
  std::vector<std::string> ids;
  for (auto& [key, f] : pending) {
    try {
      ids.push_back(f.get().id);
    } catch (const std::exception&) {
    }
  }
  return ids;
}

}  // namespace clnrm::docker
