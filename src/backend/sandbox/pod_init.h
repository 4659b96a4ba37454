#pragma once
// The pod init process: PID 1 of a pod's fresh namespaces. It builds the
// cleanroom's filesystem and network view, reports success on a pipe, then
// sleeps until the pod is destroyed (SIGKILL) or the runner dies (keeper pipe
// EOF, or PR_SET_PDEATHSIG). Its death kills every process of the pod.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace clnrm::sandbox {

struct SecurityPlan;
struct ForkServerMemory;
struct RootView;

// Filesystem of a pod, set up inside its fresh mount namespace (mounts.cpp).
struct MountPlan {
  const RootView* view = nullptr;     // what of the host it shows (root_view.h)
  std::string workdir = "/tmp/work";  // a directory of the scratch tmpfs
  bool nosuid = true;                 // MOUNT_ATTR_NOSUID on the bound host directories
  // tmpfs options: "size=<bytes>" of the one scratch tmpfs behind /tmp (and
  // the workdir), /run, /var/tmp and /dev/shm, so a step filling it gets
  // ENOSPC instead of filling the host or the pod's memory
  // (scratch_options()).
  std::string scratch_size;
};

// "size=<bytes>" for a pod's scratch tmpfs: `scratch_mb` when set, else half
// the pod's memory limit (the other half is for its processes), else 1 GiB.
std::string scratch_options(std::uint64_t scratch_mb, std::optional<std::uint64_t> memory_limit_mb);

struct PodInitConfig {
  int clone_flags = 0;   // CLONE_NEW* for the pod
  // CLONE_VM: pod init shares the runner's address space (pod_init.cpp says
  // why and when).
  bool share_memory = false;
  int go_fd = -1;        // read end: one byte when the parent finished (maps, cgroups);
                         // -1: nothing to wait for (root, no cgroups), start at once
  // In a user namespace: become its uid/gid 0 once the maps are written
  // (until then pod init's ids are unmapped there).
  bool become_namespace_root = false;
  int report_fd = -1;    // write end: a PodInitReport
  int keeper_fd = -1;    // read end of the runner's keeper pipe
  // cgroup.procs of the pod's groups (runner's descriptors, inherited): pod
  // init writes "0" to each before anything else, which saves the runner a
  // round trip (and a cgroup migration of a running process). Not used with
  // a user namespace: there the runner attaches pod init behind go_fd.
  const int* cgroup_procs_fds = nullptr;
  int cgroup_procs_count = 0;
  MountPlan mounts;
  bool new_network = true;  // loopback up only when the pod has its own netns
  // The pod's hostname in its UTS namespace; null: kPodHostname. A
  // [determinism] test gets kDeterministicHostname (include/clnrm/backend.h).
  const char* hostname = nullptr;
  // The fork server (fork_server.h): pod init's end of the control socket,
  // the pod's security plan and request memory (all in the runner's memory,
  // which pod init has a copy of). control_fd -1: no fork server.
  int control_fd = -1;
  const SecurityPlan* security = nullptr;
  ForkServerMemory* fork_server_memory = nullptr;
};

struct PodInitReport {
  int error = 0;                // errno; 0 = ready
  const char* stage = nullptr;  // static string naming what failed
  bool started = false;         // the first report: pod init runs, its pid is known
};

// The pod's root of MountPlan, made the root of the calling process's fresh
// mount namespace (async-signal-safe), in two parts. The first, with the
// runner's identity, opens the shared directories into `shared_fds` (at
// most kMaxSharedDirs): one may lie below a directory that the pod's root
// may not enter (a 0700 home or mkdtemp directory). The second, as the pod's
// root (what it makes is its own), builds the rest and binds them from those
// descriptors. Each returns 0 or an errno with *stage.
inline constexpr int kMaxSharedDirs = 64;
int prepare_pod_mounts(const MountPlan& plan, int* shared_fds, const char** stage) noexcept;
int setup_pod_mounts(const MountPlan& plan, const int* shared_fds, const char** stage) noexcept;
// Makes `rootfs` the root of the calling process's (fresh, unshared) mount
// namespace: a read-only bind of it, with the pod's /tmp (and workdir), /proc
// and /dev bound in, then pivot_root (async-signal-safe).
int enter_rootfs(const char* rootfs, const char** stage) noexcept;
// The pod's hostname (kPodHostname, or `hostname` when not null) and
// loopback up (async-signal-safe).
inline constexpr const char* kPodHostname = "cleanroom";
int setup_pod_network(bool bring_up_loopback, const char* hostname, const char** stage) noexcept;

// Clones pod init from a parent thread of its own (pod_init.cpp) and waits
// for its first report on `report_read_fd` (the read end of
// config.report_fd, which the caller keeps open until this returns).
// Returns the pid, or -errno when it could not be cloned. Pod init's second
// report, after its setup, follows on the same pipe.
pid_t clone_pod_init(const PodInitConfig& config, int report_read_fd);

// A pod's hold on this process's keeper pipe, whose read end every pod init
// keeps: the write end lives while any hold does, so pod inits see EOF
// exactly when the runner is gone. A pod takes it before cloning pod init
// and drops it (by destruction) only after pod init was reaped; a process
// without pods keeps no descriptor of the sandbox.
class KeeperHold {
 public:
  KeeperHold() = default;
  static KeeperHold take();  // read_fd() < 0 when no pipe could be made
  KeeperHold(KeeperHold&& other) noexcept : read_fd_(std::exchange(other.read_fd_, -1)) {}
  KeeperHold& operator=(KeeperHold&& other) noexcept {
    if (this != &other) {
      release();
      read_fd_ = std::exchange(other.read_fd_, -1);
    }
    return *this;
  }
  KeeperHold(const KeeperHold&) = delete;
  KeeperHold& operator=(const KeeperHold&) = delete;
  ~KeeperHold() { release(); }

  int read_fd() const { return read_fd_; }

 private:
  void release() noexcept;
  int read_fd_ = -1;
};

// Writes a user namespace's uid/gid maps. A root runner maps 0..65535 inside
// to `host_base`.. outside, an unprivileged one maps root inside to itself
// (the only id it may map).
void write_user_namespace_maps(pid_t pid, std::uint32_t host_base);

}  // namespace clnrm::sandbox
