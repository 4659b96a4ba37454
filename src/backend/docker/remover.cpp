#include "backend/docker/remover.h"

#include <clnrm/error.h>

#include "backend/docker/docker_client.h"

namespace clnrm::docker {

std::vector<std::string> remove_containers(DockerClient& client, const std::vector<std::string>& members,
                                           const std::string& last) {
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto remove = [&](const std::string& id) {
    try {
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

Remover::~Remover() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Remover::enqueue(std::vector<std::string> members, std::string last) {
  std::lock_guard lock(mutex_);
  queue_.push_back({std::move(members), std::move(last)});
  if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  cv_.notify_all();
}

void Remover::drain() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
}

std::vector<std::string> Remover::take_errors() {
  std::lock_guard lock(mutex_);
  return std::exchange(errors_, {});
}

void Remover::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is done
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    auto errors = remove_containers(client_, b.members, b.last);
    lock.lock();
    --busy_;
    errors_.insert(errors_.end(), errors.begin(), errors.end());
    cv_.notify_all();
  }
}

}  // namespace clnrm::docker
