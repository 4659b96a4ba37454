#pragma once
// Standby anchors: when a pod takes its anchor (step container) for a given
// image, level and limits, the next one for the same key is created and
// started in the background, so the next test of a suite finds a running
// container instead of waiting for create + start (the bulk of a fresh
// test's cost). A standby is a never-used container; the backend removes
// what is left when it shuts down, and the reaper if the runner dies.

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "backend/docker/step_agent.h"

namespace clnrm::docker {

struct StandbyContainer {
  std::string id;
  std::unique_ptr<StepAgent> agent;
};

class StandbyPool {
 public:
  using Factory = std::function<StandbyContainer()>;
  ~StandbyPool() = default;
  // A ready standby for `key` (waiting for one being created), or nullopt
  // when none was under way. Either way a new one for `key` is started with
  // `factory` in the background.
  std::optional<StandbyContainer> take(const std::string& key, const Factory& factory);
  // Waits for every standby being made and returns their ids (to remove).
  std::vector<std::string> shut_down();

 private:
  std::mutex mutex_;
  bool closed_ = false;
  std::map<std::string, std::future<StandbyContainer>> pending_;
};

}  // namespace clnrm::docker
