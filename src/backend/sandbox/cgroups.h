#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// Pod resource limits. cgroup v1 (this machine's hybrid layout: memory, pids
// and cpu controllers) under a clnrm-owned parent group when writable, else
// setrlimit in each process (weaker, and said so). Every decision is recorded
// as an EnforcedLimit so the runner can print what really enforces what.
//
// Groups are named "<runner pid>-g<n>" and pooled: a destroyed pod's empty
// groups go back to its backend's CgroupPool and serve the next pod (cgroup
// v1 mkdir + rmdir cost more than the rest of a pod's limits). The pool
// removes them when the backend goes; a backend removes the empty groups of
// runners that died (SIGKILL leaves no process behind, but can leave an empty
// directory).

#include "backend/sandbox/security.h"
#include "base/unique_fd.h"

#include <clnrm/backend.h>
#include <clnrm/parsed.h>
#include <clnrm/sandbox.h>

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::sandbox {

// What enforces each cgroup limit with a writable group, and without one.
// PodCgroups::create reports these as EnforcedLimit::mechanism and the
// readiness probe (probe.cpp) names them, so `clnrm health` says what a run
// will do.
struct LimitMechanism {
  const char* controller;  // "memory", "pids", "cpu"
  const char* cgroup;      // the group's limit file
  const char* fallback;    // for a limit the test sets when no group can take it; null: not enforced
};
inline constexpr LimitMechanism kLimitMechanisms[] = {
    {"memory", "cgroup v1 memory.limit_in_bytes (whole pod)", "setrlimit RLIMIT_AS, per process address space"},
    {"pids", "cgroup v1 pids.max (whole pod)", "setrlimit RLIMIT_NPROC, per user, not enforced for root"},
    {"cpu", "cgroup v1 cpu.cfs_quota_us (whole pod)", nullptr},
};

// The clnrm parent group of `controller`'s cgroup v1 hierarchy,
// "<cgroup_root>/<controller>/<cgroup_parent>" (made when missing), when it is
// writable; otherwise why a pod gets no group of that controller. The one rule
// for where pod groups go (PodCgroups::create) and for the readiness probe.
Parsed<std::string> cgroup_parent(const SandboxOptions& options, std::string_view controller);

// One empty group directory of one controller, with the limit files last
// written to it (so a pod with the same limits writes nothing).
struct CgroupGroup {
  std::string dir;
  UniqueFd tasks;  // `tasks`, open while a pod uses the group (closed in the pool)
  std::map<std::string, std::string> written;  // file name -> value
};

// Empty groups per parent directory, kept for reuse. Shared by a backend and
// its pods (a pod may outlive its backend: then its groups are removed).
class CgroupPool {
 public:
  CgroupPool() = default;
  CgroupPool(const CgroupPool&) = delete;
  CgroupPool& operator=(const CgroupPool&) = delete;
  ~CgroupPool() { close(); }

  // An empty group under `parent`: a pooled one, a spare a run left, or a
  // new directory. Waits for a prepare() of `parent` in progress on another
  // thread.
  std::optional<CgroupGroup> acquire(const std::string& parent);
  // Makes a group under `parent` into the pool now, for an acquire() to
  // come (SandboxBackend::expect_pod, on the runner's thread, while the
  // standby worker clones the pod that takes it).
  void prepare(const std::string& parent);
  // Back into the pool once the group is empty (waits briefly for exiting
  // tasks); when the pool is closed, left as a spare for the next run
  // (cgroups.cpp, "Spare groups") or removed; removed when it stays busy.
  void release(CgroupGroup group) noexcept;
  // Leaves every pooled group as a spare or removes it; later releases do
  // the same with theirs.
  void close() noexcept;

 private:
  std::mutex mutex_;
  std::condition_variable prepared_;
  bool closed_ = false;
  std::map<std::string, std::vector<CgroupGroup>> free_;
  std::map<std::string, int> preparing_;  // prepare()s in progress per parent
};

class PodCgroups {
 public:
  PodCgroups() = default;
  PodCgroups(PodCgroups&&) = default;
  PodCgroups& operator=(PodCgroups&&) = default;
  ~PodCgroups() { remove(); }

  // Creates the groups `limits` needs; what a group cannot take goes into
  // `rlimits` (the security plan's). Appends one EnforcedLimit per requested limit.
  // `explicit_limits`: what the test itself set. The setrlimit fallback
  // (per process / per user, so it can break ordinary programs) is used only
  // for those; a level default that no cgroup can take is reported as not
  // enforced instead. Null: every limit counts as explicit.
  // `pool`: where groups come from and go back to (null: a fresh directory
  // per group, removed with the pod).
  static PodCgroups create(const SandboxOptions& options, const LimitsSpec& limits, std::vector<RlimitSetting>& rlimits,
                           std::vector<EnforcedLimit>& enforced, const LimitsSpec* explicit_limits = nullptr,
                           std::shared_ptr<CgroupPool> pool = nullptr);
  // The groups create() will take for `limits`, made into `pool` ahead
  // (CgroupPool::prepare); none where the hierarchy is not writable.
  static void prepare(const SandboxOptions& options, const LimitsSpec& limits, CgroupPool& pool);

  // Descriptors of each group's `tasks` file: a single-threaded process
  // writes "0" to each to join (cgroups.cpp, open_tasks, says why not
  // cgroup.procs). Pod init and the first child of a spawned process do.
  std::vector<int> tasks_fds() const;
  // memory.oom_control's oom_kill counter; nullopt without a memory group.
  std::optional<std::uint64_t> oom_kills() const;
  bool empty() const { return dirs_.empty(); }
  // Every group back to the pool, or rmdir'ed (retries briefly while exiting
  // tasks leave it). Call once the pod's processes are dead.
  void remove() noexcept;

 private:
  std::vector<CgroupGroup> dirs_;
  std::string memory_dir_;
  std::shared_ptr<CgroupPool> pool_;
};

// Removes empty "<pid>-*" groups under the clnrm parent whose runner is gone
// (a new backend does, and `clnrm cleanup`), and with `spares_too` the spare
// groups runs leave for the next one (`clnrm cleanup`: cgroups.cpp, "Spare
// groups"); returns the directories removed.
std::vector<std::string> remove_stale_cgroups(const SandboxOptions& options, bool spares_too = false);

}  // namespace clnrm::sandbox
