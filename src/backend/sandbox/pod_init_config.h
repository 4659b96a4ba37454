#pragma once
// Side: shared protocol (docs/SANDBOX.md, "Code by side"): what the runner
// gives pod init (PodInitConfig, in memory pod init shares or has a copy of)
// and what pod init reports on its report pipe (PodInitReport). Included by
// both sides; includes neither.
//
// The pod init process: PID 1 of a pod's fresh namespaces. It builds the
// cleanroom's filesystem and network view, reports success on a pipe, then
// sleeps until the pod is destroyed (SIGKILL) or the runner dies (keeper pipe
// EOF, or PR_SET_PDEATHSIG). Its death kills every process of the pod.
// Inside: pod_init_main.h; the runner's side: pod_init_launcher.h.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace clnrm::sandbox {

struct SecurityPlan;
struct ForkServerMemory;

// What of the host a pod's root shows (root_view.h says what and why; the
// runner makes it there, pod init builds it in mounts.cpp).
struct ViewEntry {
  enum class Kind { Directory, File, Symlink };
  std::string path;  // the path on the host (and in the pod, unless `target` is set)
  Kind kind = Kind::Directory;
  std::string link;     // Symlink: its target, recreated as is (/bin -> usr/bin)
  // A PodSpec::shared_host_dirs or PodSpec::volumes entry: opened by the
  // runner's identity, bound after the pod's own mounts.
  bool shared = false;
  std::string target{};   // a volume: where the pod sees it (container_path)
  bool writable = false;  // a volume with read_only = false
  bool volume = false;    // opened without following any symbolic link

  const std::string& in_pod() const { return target.empty() ? path : target; }
};

struct RootView {
  std::vector<ViewEntry> entries;  // parents before children
  // Covered by /dev/null in the pod: the unix sockets inside bound
  // directories, and the host's password hashes and host keys (which host
  // root, the identity of a low pod, could read).
  std::vector<std::string> covered;
};

// At most this many shared directories and volumes per pod: pod init opens
// them into a fixed array (mounts.h) and the runner refuses more
// (root_view.cpp).
inline constexpr int kMaxSharedDirs = 64;

// A service's image root (image_roots.h): an overlayfs of the image's layers
// (shared directories of the view, so bound read-only at their host paths)
// with its upper and work directories on the pod's scratch tmpfs, mounted by
// pod init at `mount_point` in the pod's root.
struct ImageMount {
  std::string lower;        // the layers' paths, top first, ':'-separated
  std::string mount_point;  // e.g. /.clnrm/image/0 (a directory pod init makes)
  std::string workdir;      // the image's WorkingDir, made when missing ("" none)
};

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
  std::vector<ImageMount> images;  // one per service that runs from an image
};

// The child that makes a pod's network namespace beside pod init's setup
// (PodInitConfig::network_beside; pod_network.h): its stack and what it
// leaves. In the runner's memory, which outlives the child: pod init reaps
// it before it reports ready, and a pod init that dies first takes it along
// before the runner's waitpid() of pod init returns (the kernel's end of a
// PID namespace) -- the runner frees the config only after either.
struct NetworkBesideMemory {
  pid_t pid = -1;
  // The host's /proc, opened by pod init before the child starts: pod init
  // pivots away from it meanwhile (which moves the child's root too).
  int proc_fd = -1;
  int fd = -1;                  // the namespace, opened by the child
  int error = 0;                // errno of what failed in the child
  const char* stage = nullptr;  // static string naming it
  alignas(16) char stack[32 << 10];
};

// Pod init reads clone_flags, share_memory, network_beside, go_fd,
// report_fd and keeper_fd from its clone on (PodInitChannels::describe
// writes them, and control_fd); with a go handshake it reads the rest only
// once set going, so a pod init cloned before its pod was known
// (early_pod_init.h) gets the rest until then.
struct PodInitConfig {
  int clone_flags = 0;   // CLONE_NEW* for the pod
  // CLONE_VM: pod init shares the runner's address space (pod_init_launcher.cpp
  // says why and when).
  bool share_memory = false;
  // Non-null (pods sharing the runner's memory, with a network namespace of
  // their own, whose clone the runner waits for: the early pod init and
  // pods made on demand, PodInitChannels::describe): the clone leaves
  // CLONE_NEWNET out of clone_flags and pod init has a child make the
  // namespace while it waits for its go and mounts (pod_network.h,
  // start_network_beside); it enters it before it reports ready, and the
  // runner opens it only after that report. A standby pod, made ahead,
  // has the clone make it: one process less, where a suite's CPUs are
  // busy (docs/SANDBOX.md, "The network namespace made beside").
  std::unique_ptr<NetworkBesideMemory> network_beside;
  // An eventfd the runner writes once the uid/gid maps are in place; -1:
  // nothing to wait for (no user namespace), start at once. Not a pipe: a
  // pipe's write is a "sync" wake-up, which places the reader on the
  // writer's CPU, and the runner goes on working after it (its namespace
  // descriptors, the pod's description). A one-step run, both builds
  // copied (docs/SANDBOX.md, "The executable as the linker left it"):
  // 6.06 -> 5.94 and 5.31 -> 5.21 ms median (bench/peers/alternate_runs.py
  // 2000 rounds, twice).
  int go_fd = -1;
  // In a user namespace: become its uid/gid 0 once the maps are written
  // (until then pod init's ids are unmapped there).
  bool become_namespace_root = false;
  int report_fd = -1;    // write end: a PodInitReport
  int keeper_fd = -1;    // read end of the runner's keeper pipe
  // Its write end, numbered as in the runner's descriptor table, of which
  // pod init has a copy from its clone: pod init closes that copy first
  // thing, so the pipe's EOF says the runner is gone in every wait of its
  // setup. PR_SET_PDEATHSIG alone does not: it is not set yet when the
  // runner dies during the clone, and the kernel clears it when pod init
  // becomes root of its user namespace (a credential change). Until
  // 2026-12-07 a runner SIGKILLed 1-8 ms after its start left its pod init
  // waiting for the end of its setup for good in 52 of 300 runs
  // (bench/peers/sigkill_orphans.py; the test is
  // FaultSignalStress.SigkillAsTheRunStartsLeavesNoPodInit).
  int keeper_write_fd = -1;
  // How many `tasks` descriptors of the pod's groups the runner sends on
  // control_fd (one message, SCM_RIGHTS) right after the clone, before the
  // go: pod init writes "0" to each before it forks anything, moving
  // itself without the kernel's global cgroup lock (cgroups.cpp, open_tasks;
  // the kernel checks the opener's credentials, so this works from inside
  // the pod's user namespace too). Sent, not inherited: the runner makes the
  // groups while the parent thread clones (sandbox_pod.cpp).
  int cgroup_count = 0;
  MountPlan mounts;
  // The sockets and secrets to cover (mounts.h, seal_pod_root), in the
  // runner's memory.
  const std::vector<std::string>* covered = nullptr;
  // What pod init needs only at the end of its setup -- `covered`,
  // `security`, and its groups (cgroup_count and their descriptors) -- the
  // runner makes after the go, while pod init mounts (pod init shares its
  // memory). It writes go_fd (a semaphore eventfd) a second time once they
  // are there; pod init waits for that before it joins its groups and
  // covers. Its first mounts are charged to the runner's groups then, as
  // everything before a join is; nothing of the test runs before it.
  bool late_ending = false;
  // The pod's hostname in its UTS namespace; null: kPodHostname (pod_network.h). A
  // [determinism] test gets kDeterministicHostname (include/clnrm/backend.h).
  const char* hostname = nullptr;
  // The fork server (pod_server.h): pod init's end of the control socket,
  // the pod's security plan and request memory (all in the runner's memory,
  // which pod init has a copy of). control_fd -1: no fork server.
  int control_fd = -1;
  const SecurityPlan* security = nullptr;
  ForkServerMemory* fork_server_memory = nullptr;
  // The runner waits for this pod's ready report and sends a request right
  // after it (a pod made on demand, not a standby pod made ahead): both
  // sides poll a moment for what the other sends before they block
  // (base/spin_wait.h; pod init in pod_server.h, the runner in
  // SandboxPod::await_setup). A standby pod's waits are off the runner's
  // way, and a suite's CPUs are busy: it blocks at once.
  bool awaited = false;
};

struct PodInitReport {
  int error = 0;                // errno; 0 = ready
  const char* stage = nullptr;  // static string naming what failed
  bool started = false;         // the first report: pod init runs, its pid is known
};

}  // namespace clnrm::sandbox
