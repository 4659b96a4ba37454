#pragma once
// Get-or-create of shared, reusable objects (service containers, pods) keyed
// by a canonical string, counting how many were created and how many reused.

#include <clnrm/metrics.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace clnrm {

class ContainerRegistry {
 public:
  explicit ContainerRegistry(Metrics* metrics = nullptr) : metrics_(metrics) {}

  // Returns the object stored under `key`, or makes it with `make` (called at
  // most once per key, under the registry's exclusive lock) and stores it.
  template <typename T>
  std::shared_ptr<T> get_or_create(const std::string& key, const std::function<std::shared_ptr<T>()>& make) {
    return std::static_pointer_cast<T>(get_or_create_erased(key, [&] { return std::shared_ptr<void>(make()); }));
  }
  template <typename T>
  std::shared_ptr<T> find(const std::string& key) const {
    return std::static_pointer_cast<T>(find_erased(key));
  }
  bool remove(const std::string& key);
  std::size_t size() const;
  std::uint64_t created() const noexcept { return created_.load(std::memory_order_relaxed); }
  std::uint64_t reused() const noexcept { return reused_.load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<void> get_or_create_erased(const std::string& key,
                                             const std::function<std::shared_ptr<void>()>& make);
  std::shared_ptr<void> find_erased(const std::string& key) const;

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<void>> entries_;
  std::atomic<std::uint64_t> created_{0};
  std::atomic<std::uint64_t> reused_{0};
  Metrics* metrics_;
};

}  // namespace clnrm
