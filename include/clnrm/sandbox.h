#pragma once
// The Linux-namespace sandbox backend: the embedded default, no daemon.
//
// A pod is one long-lived "pod init" process, PID 1 of fresh PID, mount, UTS,
// IPC and network namespaces, plus a user namespace at medium and high (and
// always when the runner is not root). Its root is an allowlisted read-only
// view of the host (src/backend/sandbox/root_view.h): system directories,
// the directories the PodSpec shares, a private /dev, masked /proc, /sys
// read-only; /tmp (with the workdir, SandboxOptions::workdir), /run, /var/tmp
// and /dev/shm share one scratch tmpfs. The hostname is `cleanroom` (`clnrm`
// with PodSpec::determinism) and only loopback is up. Pod init is also the pod's fork
// server: steps and services are forked by it (so they are in every pod
// namespace and cgroup from birth) and each runs in a nested PID namespace of
// its own, so killing that namespace's init kills everything the step
// started. In a pod made for sequential steps (PodSpec::sequential_steps) a
// step runs straight under pod init instead, which kills and reaps whatever
// the step left in the pod before it reports the step's end. Pod init dies with the runner (PR_SET_PDEATHSIG plus a keeper
// pipe), and with it every process of the pod: nothing is left behind, even
// after SIGKILL of the runner. A service that names an image (with
// SandboxOptions::resolve_image set) runs in an overlayfs root of the
// image's layers instead, with the image's config (docs/SANDBOX.md, "Image
// pods"). See docs/SANDBOX.md.
//
// Steps get exactly this environment (plus ProcessSpec::env, which may
// override it):
//   PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
//   HOME=<workdir>  LANG=C.UTF-8  TZ=UTC
//   CLNRM_TEST=<PodSpec::test_name>  CLNRM_STEP=<ProcessSpec::name>
// (a step run inside a service gets the service's environment under its
// ProcessSpec::env), and umask 022.

#include <clnrm/backend.h>
#include <clnrm/health_check.h>
#include <clnrm/image.h>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sock_filter;  // <linux/filter.h>

namespace clnrm {

struct SandboxOptions {
  // The per-pod writable workdir: a directory of the pod's scratch tmpfs,
  // which must be inside /tmp (the scratch behind it).
  std::string workdir = "/tmp/work";
  // cgroup v1 hierarchy root and the clnrm-owned parent group under each
  // controller (memory, pids, cpu). When not writable (or on a cgroup v2 only
  // host), limits fall back to setrlimit and enforced_limits() says so.
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string cgroup_parent = "clnrm";
  // pids limit applied at Medium and High when the test sets none (0: none;
  // the level's IsolationPolicy may set its own). Off by default since a
  // join by cgroup.procs cost an RCU grace period; processes now join by
  // moving themselves through `tasks`, without it (docs/SANDBOX.md,
  // "Joining a group").
  std::uint32_t default_pids_limit = 0;
  // Bytes of combined service output kept in memory per service.
  std::size_t service_log_bytes = 1u << 20;
  // Standby pods: after a pod of some kind (level, host network, limits) is
  // asked for, a background thread prepares one more of that kind, so the
  // next create_pod of that kind takes a ready one (never used before: the
  // same fresh namespaces, only made earlier) instead of waiting ~1 ms for
  // it. At most 4 kinds are kept; 0 disables (every pod is made on demand).
  int standby_pods = 1;
  // The pods the backend will be asked for in all (0: not known). Standby
  // pods are made only for pods still to come: none after the last one.
  // A run of one pod has no standby thread at all: its pod is made when
  // asked for (a process's first pod init may be cloned early instead,
  // start_early_pod_init below).
  std::size_t pods_planned = 0;
  // Size of a pod's one scratch tmpfs (behind /tmp with the workdir, /run,
  // /var/tmp and /dev/shm), in MiB: a step that fills it gets ENOSPC, and
  // the host's memory is safe.
  // 0: half the pod's memory limit ([limits] memory_mb or the level's
  // default), or 1024 when the pod has none.
  std::uint64_t scratch_mb = 0;
  // A root runner's medium and high pods run in a user namespace whose ids
  // 0..kPodIdCount-1 are host ids pod_id_base.. (never host root): a range
  // no account uses (docs/security.md). Low keeps host root.
  std::uint32_t pod_id_base = 2000000000;
  // Resolves a service's `image` (PodSpec::service_images) to its unpacked
  // layers and config; throws Error saying what is wrong (not found, digest,
  // ...). Empty: this backend runs no image (capabilities().runs_images is
  // false and the runner refuses such tests with a clear error). Called when
  // a pod is made, also from the standby-pod thread: it must be thread-safe.
  // The layers become each service's overlayfs root (docs/SANDBOX.md,
  // "Image pods", says what they must hold).
  // `base_dir` is PodSpec::image_base_dir, where file references must stay.
  std::function<ImageRootfs(const std::string& reference, const std::string& base_dir)> resolve_image;
};

// How many uids/gids a root runner's user namespace maps (0..65535 inside).
inline constexpr std::uint32_t kPodIdCount = 65536;

std::unique_ptr<Backend> make_sandbox_backend(SandboxOptions options = {});

// What this machine offers the sandbox, item by item: each namespace kind and
// the mount API the pods need (required; a root runner's low pods need no user
// namespace), and where each cgroup limit goes or what enforces it instead
// (warnings). Every check not ok carries its fix. `--backend auto` and
// `clnrm health` both ask this one probe. The namespace part is computed once
// per process; the cgroup part on each call, for `options`' cgroup root.
struct SandboxSupport {
  std::vector<HealthCheck> checks;
  // nullopt when pods can be made; otherwise the first failed required check
  // as one line, e.g. "net namespace: unshare(CLONE_NEWNET) failed: Operation
  // not permitted (EPERM) — needs the user namespace (...)".
  std::optional<std::string> blocker() const;
};
SandboxSupport probe_sandbox_support(const SandboxOptions& options = {});

// Removes the empty cgroup directories of sandbox runs whose runner is gone
// (a new backend does that too) and the empty spare groups runs leave for
// the next one (`clnrm cleanup`); returns the directories removed.
std::vector<std::string> remove_stale_sandbox_cgroups(const SandboxOptions& options = {});

// Clones a pod init now, before the runner knows its first test (`clnrm
// run` does, first thing: src/cli/main.cpp): the kernel's making of a
// pod's namespaces (~0.4 ms, most of it the network namespace) then
// overlaps the reading of the command line and the test files on another
// CPU, instead of following them. It is of the kind most pods are (a root
// runner's pod at medium or high, with its own network) and waits to be set
// going: the first pod a sandbox backend of this process makes takes it
// when of that kind (its config, groups and uid/gid maps come then, as for
// any pod), and kills it otherwise; so does the hold's end when no pod took
// it (a run on docker, `--dry-run`, a command-line error). Nothing for an
// unprivileged runner or a sanitized build.
class EarlyPodInitHold {
 public:
  EarlyPodInitHold() = default;
  EarlyPodInitHold(EarlyPodInitHold&& other) noexcept : active_(std::exchange(other.active_, false)) {}
  EarlyPodInitHold& operator=(EarlyPodInitHold&&) = delete;
  EarlyPodInitHold(const EarlyPodInitHold&) = delete;
  EarlyPodInitHold& operator=(const EarlyPodInitHold&) = delete;
  ~EarlyPodInitHold();

 private:
  friend EarlyPodInitHold start_early_pod_init() noexcept;
  bool active_ = false;
};
[[nodiscard]] EarlyPodInitHold start_early_pod_init() noexcept;

// One seccomp program compiled when the executable was built: the filter
// libseccomp makes for `denied` (the syscalls failed with EPERM, in the
// policy's order, comma-separated) and, with `deny_new_user_namespaces`,
// new user namespaces. The clnrm executable's build generates one per
// built-in security level (tools/seccomp_prebuilt.cpp) and passes them to
// use_prebuilt_seccomp_programs() first thing.
struct PrebuiltSeccompProgram {
  bool deny_new_user_namespaces = false;
  std::string_view denied;
  const sock_filter* filter = nullptr;
  unsigned short length = 0;  // instructions
};

// The sandbox takes a pod's seccomp program from `programs` when one was
// made for its rules, instead of compiling the same rules with libseccomp
// at run time (~0.3 ms of a one-step `clnrm run`, on the runner's way to
// its first pod: docs/SANDBOX.md, "The seccomp programs compiled at build
// time"); rules without one are compiled as before. `programs` must outlive
// every pod. Before the first pod of the process.
void use_prebuilt_seccomp_programs(std::span<const PrebuiltSeccompProgram> programs) noexcept;

// The base environment every sandbox process starts from (see above).
inline constexpr const char* kSandboxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace clnrm
