// The sandbox Backend: the embedded default, no daemon.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/cgroups.h"
#include "backend/sandbox/image_memo.h"
#include "backend/sandbox/root_view.h"
#include "backend/sandbox/sandbox_pod.h"
#include "backend/sandbox/standby_pods.h"

#include <clnrm/sandbox.h>

#include <unistd.h>

#include <atomic>
#include <mutex>

namespace clnrm {
namespace {

class SandboxBackend final : public Backend {
 public:
  explicit SandboxBackend(SandboxOptions options) : options_(std::move(options)) {
    // Each image is looked up once per run, not once per pod (image_memo.h).
    options_.resolve_image = sandbox::memoize_image_resolver(std::move(options_.resolve_image));
    // A run of one pod has no standby thread: the pod is made when asked
    // for, on the caller's thread, and a process's first pod init is cloned
    // early anyway (early_pod_init.h); the thread, its start and its
    // hand-overs cost a one-step `clnrm run` 0.4 ms of CPU for no time
    // gained (docs/SANDBOX.md, "The first pod init cloned early; the end of
    // its setup late").
    if (options_.standby_pods > 0 && options_.pods_planned != 1) {
      standby_ = std::make_unique<sandbox::StandbyPods>(options_, cgroup_pool_, system_view_);
    }
  }
  // Standby pods first (their groups go back to the pool), then the pooled
  // groups (a pod still alive removes its own).
  ~SandboxBackend() override {
    standby_.reset();
    cgroup_pool_->close();
  }

  std::string_view name() const override { return "sandbox"; }

  Capabilities capabilities() const override {
    Capabilities caps;
    caps.hermetic = true;
    // With an image store (SandboxOptions::resolve_image) only.
    caps.runs_images = static_cast<bool>(options_.resolve_image);
    caps.network_isolation = true;
    // cgroups when writable (root), setrlimit otherwise: limits are always
    // applied, enforced_limits() says by which mechanism.
    caps.resource_limits = true;
    return caps;
  }

  std::unique_ptr<Pod> create_pod(const PodSpec& spec) override {
    if (!standby_) {
      auto pod = sandbox::SandboxPod::launch(options_, spec, cgroup_pool_, system_view_, nullptr, true);
      // While pod init sets up, off the way to the first step.
      remove_stale_cgroups_once();
      // The last pod planned: no later pod takes a group from the pool, so
      // this one's are retired as it goes (as StandbyPods::take does).
      if (options_.pods_planned != 0 && ++made_ >= options_.pods_planned) cgroup_pool_->close();
      pod->await_setup();
      return pod;
    }
    remove_stale_cgroups_once();
    if (auto ready = standby_->take(spec)) return ready;
    // Groups of pods destroyed just now come back to the pool first.
    standby_->releases()->wait_until_idle();
    return std::make_unique<sandbox::SandboxPod>(options_, spec, cgroup_pool_, system_view_, standby_->releases());
  }

  // The standby worker clones the pod while this thread makes what the pod
  // takes only once its namespaces exist: its seccomp program and cgroups
  // (sandbox_pod.h, prepare_pod_parts), then the walk of the host's system
  // directories for sockets (root_view.h, SystemViewOnce), which pod init
  // needs only for its last mounts.
  void expect_pod(const PodSpec& spec) override {
    // Without a standby thread the pod's own making does all of it, the
    // walk and the stale groups beside pod init's setup where it can.
    if (!standby_) return;
    if (standby_->expect(spec)) sandbox::prepare_pod_parts(options_, spec, *cgroup_pool_);
    system_view_->covered();
    remove_stale_cgroups_once();
  }

 private:
  // The groups of runners that are gone (killed before they removed theirs),
  // once per backend, before its first pod: off the way from the backend's
  // start to that pod's clone when expect_pod does it.
  void remove_stale_cgroups_once() {
    std::call_once(stale_removed_, [this] { sandbox::remove_stale_cgroups(options_); });
  }

  SandboxOptions options_;
  std::atomic<std::size_t> made_{0};  // pods made without a standby thread
  std::once_flag stale_removed_;
  std::shared_ptr<sandbox::CgroupPool> cgroup_pool_ = std::make_shared<sandbox::CgroupPool>();
  // What of the host its pods see, looked at once: by expect_pod, or by the
  // first pod.
  std::shared_ptr<sandbox::SystemViewOnce> system_view_ = std::make_shared<sandbox::SystemViewOnce>();
  std::unique_ptr<sandbox::StandbyPods> standby_;
};

}  // namespace

std::unique_ptr<Backend> make_sandbox_backend(SandboxOptions options) {
  return std::make_unique<SandboxBackend>(std::move(options));
}

}  // namespace clnrm
