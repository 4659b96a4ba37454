#pragma once
// A thread that starts on another CPU than the thread making it.
//
// Linux starts a new thread on its maker's CPU, where it waits until the
// maker sleeps or a load balance moves it, while another CPU may idle. On
// the 2-vCPU machine the benchmarks run on, the standby worker began making
// the first pod 1.3 ms (median of 40 runs, bench/peers/run_phases.sh) after
// it was asked for, about when the runner's thread was done walking the host
// and opening the history: the overlap the worker is for did not happen.
// A ThreadElsewhere is made allowed only on the other CPUs of the process's
// set, so the kernel starts it on one of those; its first act is to take the
// whole set again, so the scheduler stays free to move it from then on.
// With a single CPU in the set it starts like any thread.
//
// Like std::thread: join() or detach() before destruction (std::terminate
// otherwise), and an exception leaving the body ends the process.

#include <pthread.h>

#include <functional>

namespace clnrm {

class ThreadElsewhere {
 public:
  ThreadElsewhere() = default;
  // Throws std::system_error when no thread can be made.
  explicit ThreadElsewhere(std::function<void()> body);
  ThreadElsewhere(ThreadElsewhere&& other) noexcept;
  ThreadElsewhere& operator=(ThreadElsewhere&& other) noexcept;
  ThreadElsewhere(const ThreadElsewhere&) = delete;
  ThreadElsewhere& operator=(const ThreadElsewhere&) = delete;
  ~ThreadElsewhere();

  bool joinable() const { return joinable_; }
  void join();
  void detach();

 private:
  pthread_t handle_{};
  bool joinable_ = false;
};

}  // namespace clnrm
