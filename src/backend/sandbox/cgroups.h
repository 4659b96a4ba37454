#pragma once
// Pod resource limits. cgroup v1 (this machine's hybrid layout: memory, pids
// and cpu controllers) under a clnrm-owned parent group when writable, else
// setrlimit in each process (weaker, and said so). Every decision is recorded
// as an EnforcedLimit so the runner can print what really enforces what.
//
// Groups are named "<runner pid>-<pod id>"; a backend removes the empty groups
// of runners that died (SIGKILL leaves no process behind, but can leave an
// empty directory).

#include "backend/sandbox/security.h"
#include "backend/sandbox/unique_fd.h"

#include <clnrm/backend.h>
#include <clnrm/sandbox.h>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace clnrm::sandbox {

class PodCgroups {
 public:
  PodCgroups() = default;
  PodCgroups(PodCgroups&&) = default;
  PodCgroups& operator=(PodCgroups&&) = default;
  ~PodCgroups() { remove(); }

  // Creates the groups `limits` needs; what a group cannot take goes into
  // `plan.rlimits`. Appends one EnforcedLimit per requested limit.
  // `explicit_limits`: what the test itself set. The setrlimit fallback
  // (per process / per user, so it can break ordinary programs) is used only
  // for those; a level default that no cgroup can take is reported as not
  // enforced instead. Null: every limit counts as explicit.
  static PodCgroups create(const SandboxOptions& options, const std::string& pod_id, const LimitsSpec& limits,
                           SecurityPlan& plan, std::vector<EnforcedLimit>& enforced,
                           const LimitsSpec* explicit_limits = nullptr);

  // Descriptors of each group's cgroup.procs (a child writes "0" to join).
  std::vector<int> procs_fds() const;
  // Moves `pid` into every group.
  void attach(pid_t pid) const;
  // memory.oom_control's oom_kill counter; nullopt without a memory group.
  std::optional<std::uint64_t> oom_kills() const;
  bool empty() const { return dirs_.empty(); }
  // rmdir of every group (retries briefly while exiting tasks leave it).
  void remove() noexcept;

 private:
  struct Group {
    std::string dir;
    UniqueFd procs;
  };
  std::vector<Group> dirs_;
  std::string memory_dir_;
};

// Removes empty "<pid>-*" groups under the clnrm parent whose runner is gone.
void remove_stale_cgroups(const SandboxOptions& options) noexcept;

}  // namespace clnrm::sandbox
