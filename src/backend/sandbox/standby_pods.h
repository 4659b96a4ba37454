#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// Standby pods (SandboxOptions::standby_pods): pods made ahead of demand by a
// background thread, one kind at a time, so create_pod of a kind seen before
// returns a ready pod. A standby pod has never run anything; taking it only
// gives it its test's name. They are destroyed with the backend (and, like
// every pod, die with the runner process). The worker also releases what
// destroyed pods leave (pod_releases.h), before it makes the next pod.

#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/pod_releases.h"
#include "backend/sandbox/sandbox_pod.h"
#include "base/thread_elsewhere.h"

#include <clnrm/sandbox.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace clnrm::sandbox {

class StandbyPods {
 public:
  StandbyPods(SandboxOptions options, std::shared_ptr<CgroupPool> cgroup_pool,
              std::shared_ptr<SystemViewOnce> system_view);
  ~StandbyPods();
  StandbyPods(const StandbyPods&) = delete;
  StandbyPods& operator=(const StandbyPods&) = delete;

  // A ready pod of `spec`'s kind, named for `spec` (null when there is none
  // yet; one being made right now is waited for); either way, one more of
  // that kind is prepared in the background.
  std::unique_ptr<SandboxPod> take(const PodSpec& spec);

  // The next take() will ask for `spec`'s kind: one is made now, unless one
  // is ready or on its way, or no more pods are to come
  // (SandboxOptions::pods_planned). True when one was queued now.
  bool expect(const PodSpec& spec);

  // Where the backend's pods hand what they leave (pod_releases.h); the
  // worker releases it while there is one.
  const std::shared_ptr<PodReleases>& releases() const { return releases_; }

 private:
  struct Kind {
    std::string key;
    PodSpec spec;                       // the first request's, for making more
    std::unique_ptr<SandboxPod> ready;  // at most one
    bool pending = false;               // queued or being made
  };
  void run();
  // Call these with mutex_ held.
  Kind* kind_of(const std::string& key);
  Kind* find(const std::string& key);  // kind_of, and marks it most recently used
  // find, or a new kind (the least recently used one evicted into `evicted`
  // when 4 are kept); nullptr when all 4 are being made.
  Kind* kind_for(const std::string& key, const PodSpec& spec, std::unique_ptr<SandboxPod>& evicted);
  // Whether a pod made now would be taken: fewer are ready or on their way
  // than are still to come.
  bool more_to_come() const;
  void queue(Kind& kind);

  SandboxOptions options_;
  std::shared_ptr<CgroupPool> cgroup_pool_;
  std::shared_ptr<SystemViewOnce> system_view_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // kinds to make one of
  std::string making_;             // the kind the worker is making now ("" when none)
  std::vector<Kind> kinds_;        // most recently used last
  std::size_t served_ = 0;         // take()s so far (with or without a ready pod)
  bool stopping_ = false;
  bool release_pending_ = false;   // PodReleases woke the worker
  std::shared_ptr<PodReleases> releases_;
  ThreadElsewhere worker_;         // started with the object
};

// The kind of pod `spec` asks for: what pod init and its cgroups are made of.
std::string standby_key(const PodSpec& spec);

}  // namespace clnrm::sandbox
