#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// What is left of a pod once its processes are gone (pod init reaped): the
// runner's descriptors of its namespaces and its cgroups. Closing the last
// descriptor of the mount namespace unmounts its ~50 mounts and destroys
// their superblocks (0.2-0.45 ms here: the phase "teardown: namespace fds
// closed" of bench/peers/run_phases.sh before this file existed); the
// groups go back to the cgroup pool. Nothing of the pod runs any more, so
// that work need not hold up the runner's thread: a backend with a standby
// worker (standby_pods.h) has the worker close the namespaces while the
// runner's thread gives the groups back (PodCore::destroy: removing them
// after the last planned pod costs ~0.1 ms, done beside the worker's part),
// records the test and goes on. The backend waits for every release before
// it makes a pod itself and before it is gone.

#include "backend/sandbox/cgroups.h"
#include "base/unique_fd.h"

#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace clnrm::sandbox {

struct PodLeftovers {
  std::array<UniqueFd, 6> namespaces;
  PodCgroups cgroups;
  void release() noexcept;
};

class PodReleases {
 public:
  // `wake` is asked, with this object's lock held, to have the worker call
  // release_queued(); it returns false when there is no worker to do it.
  explicit PodReleases(std::function<bool()> wake);

  // Queues `leftovers` for the worker and returns true; false, with
  // `leftovers` untouched, when no worker will take them (none, or closed):
  // the caller releases them itself.
  bool hand_over(PodLeftovers& leftovers) noexcept;
  // The worker: releases everything queued, oldest first.
  void release_queued() noexcept;
  // Returns once nothing is queued or being released.
  void wait_until_idle();
  // No more hand-overs; what is still queued is released on this thread.
  void close() noexcept;

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  std::deque<PodLeftovers> queue_;
  int releasing_ = 0;
  bool closed_ = false;
  std::function<bool()> wake_;
};

}  // namespace clnrm::sandbox
