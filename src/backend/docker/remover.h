#pragma once
// Background removal of torn-down pods: Pod::destroy() (and a service's
// stop) hands its containers here and returns, so a test's teardown overlaps
// the next test's start. Two kinds: a thread of this process, which the
// backend drains before it goes away, and a teardown process
// (remover_process.h), which the backend does not wait for. A runner killed
// with SIGKILL leaves labelled containers that the teardown process or the
// reaper removes.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend/docker/fresh_pool.h"

namespace clnrm::docker {

class DockerClient;

class Remover {
 public:
  virtual ~Remover() = default;
  // Removes `members` (in parallel; with `grace_seconds` > 0 each is first
  // stopped, SIGTERM then SIGKILL after that long), then `last` (the pod's
  // netns owner). Batches run in the order they were enqueued. Returns at once.
  virtual void enqueue(std::vector<std::string> members, std::string last, int grace_seconds = 0) = 0;
  // Blocks until everything enqueued so far is removed.
  virtual void drain() = 0;
  // Errors seen so far (removals are retried by the reaper anyway).
  virtual std::vector<std::string> take_errors() = 0;
  // A session whose containers this process labels: the teardown process
  // removes what is left of them when this process ends. No-op for a thread.
  virtual void watch_session(const std::string& session) { (void)session; }
  // The fresh pool (fresh_pool.h): a shape this run used, refilled after the
  // run ends; an entry this run claimed, removed when the runner dies before
  // its pod removed it. No-op for a thread: nothing outlives the runner to refill.
  virtual void pool_shape(const PoolShape& shape) { (void)shape; }
  virtual void pool_claimed(const std::string& id) { (void)id; }
};

// Removals on a thread of this process; its destructor waits for them.
class ThreadRemover final : public Remover {
 public:
  explicit ThreadRemover(DockerClient& client) : client_(client) {}
  ~ThreadRemover() override;
  void enqueue(std::vector<std::string> members, std::string last, int grace_seconds = 0) override;
  void drain() override;
  std::vector<std::string> take_errors() override;

 private:
  struct Batch {
    std::vector<std::string> members;
    std::string last;
    int grace_seconds = 0;
  };
  void run();

  DockerClient& client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  int busy_ = 0;
  bool stopping_ = false;
  std::vector<std::string> errors_;
  std::thread worker_;
};

// Removes members in parallel (each stopped first when grace_seconds > 0),
// then `last`; returns the error messages.
std::vector<std::string> remove_containers(DockerClient& client, const std::vector<std::string>& members,
                                           const std::string& last, int grace_seconds = 0);

}  // namespace clnrm::docker
