#pragma once
// Counts the steps running in one container, so that the step agent's sweep
// (kill everything in the container but PID 1, step_agent.h) only happens
// when no other step runs there, and no step can start while it happens.
// A concurrent scenario runs several steps in one container at once: the
// agent runs one, the others are engine execs next to it.

#include <functional>
#include <mutex>

namespace clnrm::docker {

class StepGate {
 public:
  // One running step: entered on construction (waits while a sweep runs);
  // leaves on destruction unless finish() did.
  class Step {
   public:
    explicit Step(StepGate& gate);
    ~Step();
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;
    // Leaves; when no other step is running, runs `sweep` first, while new
    // steps wait.
    void finish(const std::function<void()>& sweep);
    // Runs `alone` when this is the only running step, else `shared`; new
    // steps wait until it returns.
    void decide(const std::function<void()>& alone, const std::function<void()>& shared);

   private:
    StepGate& gate_;
    bool left_ = false;
  };

 private:
  std::mutex mutex_;
  int running_ = 0;  // guarded by mutex_
};

}  // namespace clnrm::docker
