#include <clnrm/container_registry.h>

namespace clnrm {

std::shared_ptr<void> ContainerRegistry::find_erased(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<void> ContainerRegistry::get_or_create_erased(const std::string& key,
                                                              const std::function<std::shared_ptr<void>()>& make) {
  if (auto found = find_erased(key)) {
    reused_.fetch_add(1, std::memory_order_relaxed);
    if (metrics_) metrics_->add(Metrics::Counter::ContainersReused);
    return found;
  }
  // Creation runs under the exclusive lock so two callers never both create
  // the same key; creation is rare next to lookups.
  std::unique_lock lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(key);
  if (!inserted) {
    reused_.fetch_add(1, std::memory_order_relaxed);
    if (metrics_) metrics_->add(Metrics::Counter::ContainersReused);
    return it->second;
  }
  try {
    it->second = make();
  } catch (...) {
    entries_.erase(it);
    throw;
  }
  created_.fetch_add(1, std::memory_order_relaxed);
  if (metrics_) metrics_->add(Metrics::Counter::ContainersCreated);
  return it->second;
}

bool ContainerRegistry::remove(const std::string& key) {
  std::unique_lock lock(mutex_);
  return entries_.erase(key) > 0;
}

std::size_t ContainerRegistry::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace clnrm
