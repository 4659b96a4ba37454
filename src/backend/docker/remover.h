#pragma once
// Background removal of torn-down pods: Pod::destroy() hands its containers
// here and returns, so a test's teardown overlaps the next test's start.
// The backend drains the queue before it goes away; a runner killed with
// SIGKILL leaves labelled containers that the reaper removes.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace clnrm::docker {

class DockerClient;

class Remover {
 public:
  explicit Remover(DockerClient& client) : client_(client) {}
  ~Remover();
  // Removes `members` (in parallel), then `last` (the pod anchor, whose
  // network namespace the members use). Returns at once.
  void enqueue(std::vector<std::string> members, std::string last);
  // Blocks until everything enqueued so far is removed.
  void drain();
  // Errors seen so far (removals are retried by the reaper anyway).
  std::vector<std::string> take_errors();

 private:
  struct Batch {
    std::vector<std::string> members;
    std::string last;
  };
  void run();
  void remove_batch(const Batch& b);

  DockerClient& client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  int busy_ = 0;
  bool stopping_ = false;
  std::vector<std::string> errors_;
  std::thread worker_;
};

// Removes members in parallel, then `last`; returns the error messages.
std::vector<std::string> remove_containers(DockerClient& client, const std::vector<std::string>& members,
                                           const std::string& last);

}  // namespace clnrm::docker
