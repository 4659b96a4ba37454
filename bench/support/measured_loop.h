#pragma once
// `for (auto _ : clnrm::bench::measured(state))` instead of
// `for (auto _ : state)`: identical timing, plus callgrind instrumentation
// switched on exactly around the loop when the suite runs under
// `valgrind --tool=callgrind --instr-atstart=no` with CLNRM_BENCH_NAME set
// (scripts/run_benchmarks.sh --instructions). Each loop then dumps its own
// profile described "clnrm-bench:<iterations>:<name>", which
// `clnrm bench import-callgrind` turns into instructions per iteration.
// Outside valgrind the cost is one branch at loop start and end.

#include <benchmark/benchmark.h>

namespace clnrm::bench {

// True when running under valgrind with CLNRM_BENCH_NAME set (cached).
bool instruction_counting_active() noexcept;
void start_instruction_counting() noexcept;
void stop_instruction_counting(benchmark::IterationCount iterations) noexcept;

class MeasuredLoop {
 public:
  explicit MeasuredLoop(benchmark::State& state) : state_(state) {}

  class Iterator {
   public:
    Iterator(benchmark::State::StateIterator inner, benchmark::State* state) : inner_(inner), state_(state) {}
    bool operator!=(const Iterator& other) const {
      if (inner_ != other.inner_) return true;
      if (instruction_counting_active()) stop_instruction_counting(state_->iterations());
      return false;
    }
    Iterator& operator++() {
      ++inner_;
      return *this;
    }
    auto operator*() const { return *inner_; }

   private:
    benchmark::State::StateIterator inner_;
    benchmark::State* state_;
  };

  Iterator begin() { return Iterator(state_.begin(), &state_); }
  // The range-for calls end() after begin(); State::end() starts the timer,
  // so counting starts just before it.
  Iterator end() {
    if (instruction_counting_active()) start_instruction_counting();
    return Iterator(state_.end(), &state_);
  }

 private:
  benchmark::State& state_;
};

inline MeasuredLoop measured(benchmark::State& state) { return MeasuredLoop(state); }

}  // namespace clnrm::bench
