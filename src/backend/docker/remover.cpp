#include "backend/docker/remover.h"

#include <clnrm/error.h>

#include "backend/docker/docker_client.h"

namespace clnrm::docker {

std::vector<std::string> remove_containers(DockerClient& client, const std::vector<std::string>& members,
                                           const std::string& last, int grace_seconds) {
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto remove = [&](const std::string& id) {
    try {
      // A service's graceful end (SIGTERM, then SIGKILL after the grace).
      if (grace_seconds > 0) client.container_stop(id, grace_seconds);
      client.container_remove(id, true);
    } catch (const Error& e) {
      std::lock_guard lock(errors_mutex);
      errors.push_back(e.describe());
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < members.size(); ++i) threads.emplace_back(remove, members[i]);
  if (!members.empty()) remove(members[0]);
  for (auto& t : threads) t.join();
  if (!last.empty()) remove(last);
  return errors;
}

ThreadRemover::~ThreadRemover() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ThreadRemover::enqueue(std::vector<std::string> members, std::string last, int grace_seconds) {
  std::lock_guard lock(mutex_);
  queue_.push_back({std::move(members), std::move(last), grace_seconds});
  if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  cv_.notify_all();
}

void ThreadRemover::drain() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
}

std::vector<std::string> ThreadRemover::take_errors() {
  std::lock_guard lock(mutex_);
  return std::exchange(errors_, {});
}

void ThreadRemover::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is done
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    auto errors = remove_containers(client_, b.members, b.last, b.grace_seconds);
    lock.lock();
    --busy_;
    errors_.insert(errors_.end(), errors.begin(), errors.end());
    cv_.notify_all();
  }
}

}  // namespace clnrm::docker
