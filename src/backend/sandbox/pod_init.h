#pragma once
// The pod init process: PID 1 of a pod's fresh namespaces. It builds the
// cleanroom's filesystem and network view, reports success on a pipe, then
// sleeps until the pod is destroyed (SIGKILL) or the runner dies (keeper pipe
// EOF, or PR_SET_PDEATHSIG). Its death kills every process of the pod.

#include <sys/types.h>

#include <string>

namespace clnrm::sandbox {

struct SecurityPlan;
struct ForkServerMemory;

// Filesystem of a pod, set up inside its fresh mount namespace.
struct MountPlan {
  std::string workdir = "/tmp/work";  // its own tmpfs, inside the /tmp tmpfs
  bool nosuid = true;                 // MOUNT_ATTR_NOSUID on the read-only host root
};

struct PodInitConfig {
  int clone_flags = 0;   // CLONE_NEW* for the pod
  int go_fd = -1;        // read end: one byte when the parent finished (maps, cgroups);
                         // -1: nothing to wait for (root, no cgroups), start at once
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
};

// Mounts of MountPlan (async-signal-safe). Returns 0 or an errno with *stage.
int setup_pod_mounts(const MountPlan& plan, const char** stage) noexcept;
// Makes `rootfs` the root of the calling process's (fresh, unshared) mount
// namespace: a read-only bind of it, with the pod's /tmp (and workdir), /proc
// and /dev bound in, then pivot_root (async-signal-safe).
int enter_rootfs(const char* rootfs, const char** stage) noexcept;
// Hostname `cleanroom` and loopback up (async-signal-safe).
int setup_pod_network(bool bring_up_loopback, const char** stage) noexcept;

// Clones pod init from a long-lived thread (PR_SET_PDEATHSIG fires when the
// parent *thread* exits, so a pod must not be the child of a short-lived
// runner thread). Returns the pid, or -errno.
pid_t clone_pod_init(const PodInitConfig& config);

// The read end of this process's keeper pipe: its write end lives as long as
// the runner process, so pod inits see EOF exactly when the runner is gone.
int keeper_read_fd();

// Writes a user namespace's uid/gid maps: root inside = the caller outside.
void write_user_namespace_maps(pid_t pid);

}  // namespace clnrm::sandbox
