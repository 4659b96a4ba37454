// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/early_pod_init.h"

#include "backend/sandbox/sanitized_build.h"

#include <clnrm/sandbox.h>

#include <sched.h>
#include <unistd.h>

#include <mutex>

namespace clnrm::sandbox {
namespace {

// The process's early pod init, until a pod takes it (a forked copy of the
// runner has none of its own: `owner`).
struct Pending {
  pid_t owner = -1;
  std::unique_ptr<EarlyPodInit> pod;
  std::unique_ptr<PodInitClone> clone;  // finished by whoever takes the pod
};

// Never destroyed: a pod may be in the making on another thread while
// exit() runs.
std::mutex& pending_mutex() {
  static auto& mutex = *new std::mutex;
  return mutex;
}
Pending& pending() {
  static auto& p = *new Pending;
  return p;
}

bool start() {
  if (kSanitized || ::geteuid() != 0) return false;
  std::lock_guard lock(pending_mutex());
  Pending& p = pending();
  if (p.owner == ::getpid() && p.pod) return false;  // started already
  auto pod = std::make_unique<EarlyPodInit>();
  pod->channels = PodInitChannels::open();
  pod->config = std::make_unique<PodInitConfig>();
  // The first pod's clone: on the runner's way (its network made beside).
  pod->channels.describe(*pod->config, early_pod_init_clone_flags(), kEarlyPodInitSharesMemory, true, true);
  // On another CPU: this thread goes on reading the command line.
  auto clone = std::make_unique<PodInitClone>(*pod->config, true);
  p = Pending{::getpid(), std::move(pod), std::move(clone)};
  return true;
}

// The early pod init, cloned (waits for the clone); null when there is
// none or its clone failed.
std::unique_ptr<EarlyPodInit> take_pending() {
  Pending taken;
  {
    std::lock_guard lock(pending_mutex());
    Pending& p = pending();
    if (p.owner != ::getpid() || !p.pod) return nullptr;
    taken = std::move(p);
    p = Pending{};
  }
  const pid_t pid = taken.clone->finish(taken.pod->channels.report.read.get());
  taken.clone.reset();
  taken.pod->channels.close_pod_ends();
  if (pid <= 0) return nullptr;
  taken.pod->pid = pid;
  return std::move(taken.pod);
}

}  // namespace

int early_pod_init_clone_flags() {
  return CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER;
}

EarlyPodInit::~EarlyPodInit() {
  if (pid > 0) kill_and_reap_pod_init(pid);
}

bool early_pod_init_pending() {
  std::lock_guard lock(pending_mutex());
  const Pending& p = pending();
  return p.owner == ::getpid() && p.pod != nullptr;
}

std::unique_ptr<EarlyPodInit> take_early_pod_init(int clone_flags, bool share_memory) {
  std::unique_ptr<EarlyPodInit> pod = take_pending();
  if (pod && (clone_flags != early_pod_init_clone_flags() || share_memory != kEarlyPodInitSharesMemory)) pod.reset();
  return pod;
}

}  // namespace clnrm::sandbox

namespace clnrm {

EarlyPodInitHold start_early_pod_init() noexcept {
  EarlyPodInitHold hold;
  try {
    hold.active_ = sandbox::start();
  } catch (...) {
    // None early (no descriptors, no thread): the first pod makes its own
    // and says what fails.
  }
  return hold;
}

EarlyPodInitHold::~EarlyPodInitHold() {
  if (!active_) return;
  try {
    sandbox::take_pending();  // killed and reaped as it goes, when no pod took it
  } catch (...) {
  }
}

}  // namespace clnrm
