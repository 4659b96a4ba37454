// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/standby_pods.h"

#include "backend/sandbox/early_pod_init.h"
#include "backend/sandbox/pod_init_launcher.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

namespace clnrm::sandbox {
namespace {

constexpr std::size_t kMaxKinds = 4;

std::string optional_text(const auto& value) { return value ? fmt::format("{}", *value) : "-"; }

}  // namespace

std::string standby_key(const PodSpec& spec) {
  // The hostname is set by pod init: a [determinism] pod is another kind.
  std::string volumes;
  for (const VolumeSpec& v : spec.volumes)
    volumes += fmt::format("\n{}\n{}\n{}", v.host_path, v.container_path, v.read_only ? "ro" : "rw");
  // Image roots are mounted by pod init: each service's image is the kind.
  std::string images;
  for (const auto& [service, image] : spec.service_images) images += fmt::format("\n{}\n{}", service, image);
  if (!spec.step_image.empty()) images += "\nsteps\n" + spec.step_image;
  if (!spec.service_images.empty() || !spec.step_image.empty()) images += "\n" + spec.image_base_dir;
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", static_cast<int>(spec.level), spec.host_network ? 1 : 0,
                     optional_text(spec.limits.memory_mb), optional_text(spec.limits.pids),
                     optional_text(spec.limits.cpu_millicores), spec.determinism ? 1 : 0,
                     fmt::join(spec.shared_host_dirs, "\n"), volumes, images);
}

StandbyPods::StandbyPods(SandboxOptions options, std::shared_ptr<CgroupPool> cgroup_pool,
                         std::shared_ptr<SystemViewOnce> system_view)
    : options_(std::move(options)),
      cgroup_pool_(std::move(cgroup_pool)),
      system_view_(std::move(system_view)),
      // Called with the releases' lock held: only the worker (after it
      // let go of mutex_) takes that lock, never while holding mutex_.
      // The worker runs from the constructor until stopping_.
      releases_(std::make_shared<PodReleases>([this] {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        release_pending_ = true;
        cv_.notify_all();
        return true;
      })) {
  // Started now, while the runner still plans: the first pod then begins
  // on a thread that is already running (a new thread takes ~0.15 ms to
  // begin work, bench/peers/run_phases.sh).
  worker_ = ThreadElsewhere([this] { run(); });
}

StandbyPods::~StandbyPods() {
  std::vector<Kind> kinds;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  releases_->close();  // what the worker did not get to
  kinds.swap(kinds_);  // the worker is gone: no lock needed
  for (auto& k : kinds) {
    if (k.ready) k.ready->destroy();
  }
}

StandbyPods::Kind* StandbyPods::kind_of(const std::string& key) {
  auto it = std::find_if(kinds_.begin(), kinds_.end(), [&](const Kind& k) { return k.key == key; });
  return it == kinds_.end() ? nullptr : &*it;
}

StandbyPods::Kind* StandbyPods::find(const std::string& key) {
  Kind* kind = kind_of(key);
  if (kind == nullptr) return nullptr;
  // Most recently used last: evictions take the front.
  auto it = kinds_.begin() + (kind - kinds_.data());
  std::rotate(it, it + 1, kinds_.end());
  return &kinds_.back();
}

StandbyPods::Kind* StandbyPods::kind_for(const std::string& key, const PodSpec& spec,
                                         std::unique_ptr<SandboxPod>& evicted) {
  if (Kind* kind = find(key)) return kind;
  if (kinds_.size() >= kMaxKinds && !kinds_.front().pending) {
    evicted = std::move(kinds_.front().ready);
    kinds_.erase(kinds_.begin());
  }
  if (kinds_.size() >= kMaxKinds) return nullptr;
  kinds_.push_back(Kind{key, spec, nullptr, false});
  return &kinds_.back();
}

bool StandbyPods::more_to_come() const {
  if (options_.pods_planned == 0) return true;  // not known: always one more
  const auto on_their_way =
      static_cast<std::size_t>(std::count_if(kinds_.begin(), kinds_.end(), [](const Kind& k) {
        return k.pending || k.ready != nullptr;
      }));
  return served_ + on_their_way < options_.pods_planned;
}

void StandbyPods::queue(Kind& kind) {
  kind.pending = true;
  queue_.push_back(kind.key);
  cv_.notify_all();  // the worker; take()s may wait on cv_ too
}

std::unique_ptr<SandboxPod> StandbyPods::take(const PodSpec& spec) {
  const std::string key = standby_key(spec);
  std::unique_ptr<SandboxPod> pod;
  std::unique_ptr<SandboxPod> evicted;
  bool last = false;
  {
    std::unique_lock lock(mutex_);
    if (stopping_) return nullptr;
    // The pod of this kind being made right now is ready sooner than one
    // started now would be: wait for it (a failure to make it leaves ready
    // empty, and the caller makes its own).
    cv_.wait(lock, [&] { return stopping_ || making_ != key; });
    if (stopping_) return nullptr;
    ++served_;  // by this pod, or by one the caller makes
    // The last pod planned: no later pod takes a group from the pool, so
    // the groups of destroyed pods are removed as they are released (by
    // the worker, pod_releases.h), not at the backend's end.
    last = options_.pods_planned != 0 && served_ >= options_.pods_planned;
    if (Kind* kind = kind_for(key, spec, evicted)) {
      pod = std::move(kind->ready);
      // Queued but not started (the worker is busy with another): the
      // caller makes it now instead; two would be made otherwise.
      if (kind->pending && !pod) {
        if (auto it = std::find(queue_.begin(), queue_.end(), key); it != queue_.end()) {
          queue_.erase(it);
          kind->pending = false;
        }
      }
      if (!kind->pending && more_to_come()) queue(*kind);
    }
  }
  if (last && cgroup_pool_) cgroup_pool_->close();
  if (evicted) evicted->destroy();
  if (pod) {
    try {
      pod->adopt(spec);
    } catch (const std::exception&) {
      // Its setup failed: the caller makes its own pod, whose error names
      // the test (and says the same).
      return nullptr;
    }
  }
  return pod;
}

bool StandbyPods::expect(const PodSpec& spec) {
  const std::string key = standby_key(spec);
  std::unique_ptr<SandboxPod> evicted;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    Kind* kind = kind_for(key, spec, evicted);
    queued = kind != nullptr && !kind->pending && !kind->ready && more_to_come();
    if (queued) queue(*kind);
  }
  if (evicted) evicted->destroy();
  return queued;
}

void StandbyPods::run() {
  // While the runner still plans: the first pod's clone then finds its
  // parent thread waiting. Not for a pod init cloned early, which has one.
  if (!early_pod_init_pending()) prepare_pod_init_parent();
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || release_pending_; });
    if (stopping_) return;
    if (std::exchange(release_pending_, false)) {
      // Before the next pod: its groups may be among them (the pool).
      lock.unlock();
      releases_->release_queued();
      lock.lock();
      continue;
    }
    const std::string key = queue_.front();
    queue_.pop_front();
    Kind* kind = kind_of(key);
    if (kind == nullptr) continue;
    PodSpec spec = kind->spec;
    spec.test_name = "standby";
    making_ = key;
    lock.unlock();
    std::unique_ptr<SandboxPod> made;
    try {
      made = SandboxPod::launch(options_, spec, cgroup_pool_, system_view_, releases_);
    } catch (...) {
      // The next create_pod of this kind makes its pod itself and reports
      // whatever went wrong.
    }
    lock.lock();
    making_.clear();
    // kinds_ may have changed while unlocked: look the kind up again, and do
    // not keep the pointer across the next unlock.
    kind = kind_of(key);
    if (kind != nullptr) kind->pending = false;
    if (kind != nullptr && !stopping_ && !kind->ready) {
      kind->ready = std::move(made);
    }
    cv_.notify_all();  // a take() waiting for this kind
    if (made) {
      lock.unlock();
      made.reset();  // destroyed, not under mutex_ (pod_releases.h: hand-overs take it)
      lock.lock();
    }
  }
}

}  // namespace clnrm::sandbox
