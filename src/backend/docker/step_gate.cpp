#include "backend/docker/step_gate.h"

namespace clnrm::docker {

StepGate::Step::Step(StepGate& gate) : gate_(gate) {
  std::lock_guard lock(gate_.mutex_);
  ++gate_.running_;
}

StepGate::Step::~Step() {
  if (left_) return;
  std::lock_guard lock(gate_.mutex_);
  --gate_.running_;
}

void StepGate::Step::finish(const std::function<void()>& sweep) {
  if (left_) return;
  std::lock_guard lock(gate_.mutex_);
  left_ = true;
  if (--gate_.running_ == 0 && sweep) sweep();
}

void StepGate::Step::decide(const std::function<void()>& alone, const std::function<void()>& shared) {
  std::lock_guard lock(gate_.mutex_);
  if (gate_.running_ == 1) {
    if (alone) alone();
  } else if (shared) {
    shared();
  }
}

}  // namespace clnrm::docker
