// Creating and destroying a sandbox pod (one test's cleanroom).
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/sandbox_pod.h"

#include "backend/netns_connect.h"

#include "backend/sandbox/early_pod_init.h"
#include "backend/sandbox/pod_init_launcher.h"
#include "backend/sandbox/root_view.h"
#include "backend/sandbox/sanitized_build.h"
#include "base/descriptor_passing.h"
#include "base/spin_wait.h"

#include <clnrm/backend.h>
#include <clnrm/error.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

namespace clnrm::sandbox {
namespace {

// "size=<bytes>" for a pod's scratch tmpfs: `scratch_mb` when set, else half
// the pod's memory limit (the other half is for its processes), else 1 GiB.
std::string scratch_options(std::uint64_t scratch_mb,
                            std::optional<std::uint64_t> memory_limit_mb) {
  constexpr std::uint64_t kMiB = 1024 * 1024;
  std::uint64_t bytes = 1024 * kMiB;
  if (scratch_mb > 0) {
    bytes = scratch_mb * kMiB;
  } else if (memory_limit_mb && *memory_limit_mb > 0) {
    bytes = std::max<std::uint64_t>(*memory_limit_mb * kMiB / 2, kMiB);
  }
  return "size=" + std::to_string(bytes);
}

// The limits a pod of `spec` gets: its level's, its own, and the backend's
// default pids limit above low.
LimitsSpec pod_limits(const SandboxOptions& options, const PodSpec& spec, const IsolationPolicy& policy) {
  LimitsSpec limits = policy.limits;
  if (!limits.pids && spec.level != SecurityLevel::Low && options.default_pids_limit > 0) {
    limits.pids = options.default_pids_limit;
  }
  return limits;
}

// Low keeps host root (docs/security.md says what that trusts); medium and
// high pods of a root runner get an unprivileged host id range, and an
// unprivileged runner's pods map its own id.
bool has_user_namespace(bool root_runner, SecurityLevel level) { return !root_runner || level != SecurityLevel::Low; }

// Whether pod init shares the runner's memory and waits for the go
// handshake: then what it reads of the runner's memory only after the
// handshake (its security plan with the seccomp program, and its view) may
// be made after the clone, while the kernel has the namespaces made
// already (pod_init_launcher.cpp says when). So are its cgroups: the runner
// sends pod init their descriptors once it is cloned.
bool parts_after_clone(bool root_runner, bool user_namespace) { return root_runner && !kSanitized && user_namespace; }

std::string make_pod_id(const std::string& test_name) {
  static std::atomic<std::uint64_t> counter{0};
  std::string safe;
  for (const char c : test_name) {
    if (safe.size() >= 40) break;
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  if (safe.empty()) safe = "pod";
  return fmt::format("{}-{}", safe, counter.fetch_add(1) + 1);
}

// How long await_setup polls before it blocks (spin_wait.h).
constexpr std::int64_t kSetupSpinNs = 1000000;

UniqueFd open_ns(pid_t pid, const char* kind) {
  const std::string path = fmt::format("/proc/{}/ns/{}", pid, kind);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("sandbox: opening " + path);
  return fd;
}

// The network namespace of a pod whose pod init made its own beside its
// setup (pod_init_config.h, network_beside), which pod init entered before
// its ready report: never the runner's, which a pod init that had not
// entered it would show (it is cloned in the runner's).
UniqueFd open_pod_network(pid_t init_pid) {
  UniqueFd net = open_ns(init_pid, "net");
  struct stat pod {}, runner {};
  if (::fstat(net.get(), &pod) != 0 || ::stat("/proc/self/ns/net", &runner) != 0)
    throw_errno("sandbox: the pod's network namespace");
  if (pod.st_ino == runner.st_ino && pod.st_dev == runner.st_dev)
    throw Error(ErrorKind::Backend, "pod init is in the runner's network namespace, not one of the pod's own",
                "sandbox pod");
  return net;
}

// What pod init reported as the reason its setup failed.
Error setup_failure(const PodCore& core, const PodInitReport& report) {
  return Error(ErrorKind::NotSupported,
               fmt::format("cannot set up the cleanroom: {}: {} ({})", report.stage, std::strerror(report.error),
                           ::strerrorname_np(report.error)),
               "sandbox pod " + core.id);
}

void describe_isolation(PodCore& core, const PodSpec& spec, const IsolationPolicy& policy,
                        const std::string& scratch_size) {
  auto& e = core.enforced;
  std::string shared;
  std::string volumes;
  for (const ViewEntry& entry : core.view->entries) {
    if (entry.volume)
      volumes += fmt::format(", {} at {} ({})", entry.path, entry.target, entry.writable ? "rw" : "ro");
    else if (entry.shared)
      shared += " " + entry.path;
  }
  e.push_back({"security level", "sandbox", std::string(to_string(spec.level))});
  e.push_back({"capabilities", "bounding set + capset in every step and service", describe_caps(core.security.keep_caps)});
  e.push_back({"no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS)", core.security.no_new_privs ? "on" : "off"});
  e.push_back({"seccomp", core.security.seccomp ? "seccomp-bpf filter (libseccomp)" : "none",
               core.security.seccomp
                   ? fmt::format("deny {}{}", fmt::join(core.security.denied_syscalls, ","),
                                 policy.seccomp && policy.deny_new_user_namespaces ? "; new user namespaces" : "")
                   : "off"});
  e.push_back({"network", core.host_network ? "host network namespace (level low, host_network)"
                                            : "own network namespace, loopback only",
               core.host_network ? "host" : "loopback"});
  for (const std::string& warning : policy.warnings) e.push_back({policy.host_network_ignored ? "host_network" : "warning", warning, "ignored"});
  e.push_back({"root fs",
               fmt::format("allowlisted read-only view (/usr, /etc, /opt, /bin, /sbin, /lib*{}), {} unix socket(s) or secret(s) "
                           "covered, private /dev, /proc with OCI masked and read-only paths, /sys read-only, "
                           "one scratch tmpfs ({}) for /tmp, the workdir, /run, /var/tmp and /dev/shm{}{}",
                           shared.empty() ? "" : ", shared:" + shared,
                           core.covered.size(), scratch_size, policy.nosuid ? ", nosuid" : "",
                           volumes.empty() ? "" : "; volumes (bind, nosuid, nodev)" + volumes),
               std::string(to_string(policy.root_fs))});
  e.push_back({"identity",
               core.user_namespace
                   ? (core.root_runner ? fmt::format("user namespace: uid/gid 0-{} are host ids {}-{}", kPodIdCount - 1,
                                                     core.options.pod_id_base,
                                                     core.options.pod_id_base + kPodIdCount - 1)
                                       : std::string("user namespace: root inside is the (unprivileged) runner's uid"))
                   : std::string("host root (level low: no user namespace)"),
               core.user_namespace ? "unprivileged" : "host root"});
  e.push_back({"keyring", "own session keyring; keyctl, add_key, request_key denied (seccomp)", "private"});
  for (const ImageRoot& root : core.image_roots) {
    const std::string who = root.service == kStepImageRoot ? std::string("the test's steps")
                                                           : fmt::format("service '{}'", root.service);
    e.push_back({"image", fmt::format("{}: \"{}\" ({} layer(s) as an overlayfs root, read-only; writes go "
                                      "to the pod's scratch tmpfs)",
                                      who, root.image.reference, root.image.layer_dirs.size()),
                 root.image.manifest_digest.empty() ? "overlay" : root.image.manifest_digest});
  }
}

}  // namespace

SandboxPod::SandboxPod(const SandboxOptions& options, const PodSpec& spec, std::shared_ptr<CgroupPool> cgroup_pool,
                       std::shared_ptr<SystemViewOnce> system_view, std::shared_ptr<PodReleases> releases)
    : SandboxPod(options, spec, std::move(cgroup_pool), std::move(system_view), std::move(releases), Setup::Awaited) {}

SandboxPod::SandboxPod(const SandboxOptions& options, const PodSpec& spec, std::shared_ptr<CgroupPool> cgroup_pool,
                       std::shared_ptr<SystemViewOnce> system_view, std::shared_ptr<PodReleases> releases, Setup setup)
    : core_(std::make_shared<PodCore>()) {
  PodCore& core = *core_;
  if (!system_view) system_view = std::make_shared<SystemViewOnce>();
  core.releases = std::move(releases);
  core.id = make_pod_id(spec.test_name);
  core.test_name = spec.test_name;
  core.options = options;
  const IsolationPolicy policy = make_isolation_policy(spec.level, spec.limits, spec.host_network);
  core.root_runner = ::geteuid() == 0;
  core.user_namespace = has_user_namespace(core.root_runner, spec.level);
  const bool after_clone = parts_after_clone(core.root_runner, core.user_namespace);
  // An image's layers are shared like a `rootfs`: bound read-only at their
  // host paths, where pod init stacks them (image_roots.h).
  core.image_roots = resolve_image_roots(options, spec, core.user_namespace, core.root_runner);
  core.step_image_root = find_image_root(core.image_roots, std::string(kStepImageRoot));
  std::vector<std::string> shared_dirs = spec.shared_host_dirs;
  for (const std::string& dir : image_layer_dirs(core.image_roots)) {
    if (std::find(shared_dirs.begin(), shared_dirs.end(), dir) == shared_dirs.end()) shared_dirs.push_back(dir);
  }
  core.host_network = policy.network == NetworkMode::Host;
  core.sequential_steps = spec.sequential_steps;
  const LimitsSpec limits = pod_limits(options, spec, policy);
  const std::string scratch_size = scratch_options(options.scratch_mb, limits.memory_mb);
  // A limit no group can take becomes an rlimit of the security plan.
  std::vector<RlimitSetting> fallback_rlimits;
  const int clone_flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                          (core.host_network ? 0 : CLONE_NEWNET) | (core.user_namespace ? CLONE_NEWUSER : 0);
  // Under a sanitizer pod init is forked: ASan and TSan cannot follow a
  // process that shares their shadow memory from another stack.
  const bool share_memory = core.root_runner && !kSanitized;
  // The handshake costs a round trip; only uid/gid maps must be in place
  // before pod init starts setting up. Pod init joins its cgroups itself,
  // through the descriptors sent after the clone.
  const bool needs_go = core.user_namespace;
  // The caller awaits this pod at once, not a standby pod taken later
  // (pod_init_config.h, awaited and network_beside).
  const bool awaited = setup != Setup::Later;
  // The process's first pod may find its pod init cloned already, waiting
  // for its go (early_pod_init.h); the rest is the same.
  std::unique_ptr<EarlyPodInit> early = take_early_pod_init(clone_flags, share_memory);
  PodInitChannels channels;
  if (early) {
    channels = std::move(early->channels);
    core.init_config = std::move(early->config);
  } else {
    channels = PodInitChannels::open();
    core.init_config = std::make_unique<PodInitConfig>();
    channels.describe(*core.init_config, clone_flags, share_memory, needs_go, awaited);
  }
  core.keeper = std::move(channels.keeper);
  core.fork_server = std::move(channels.control);
  PodInitConfig& config = *core.init_config;
  // Pod init joins them once they are sent (pod_init_config.h, cgroup_count).
  auto make_groups = [&] {
    core.cgroups =
        PodCgroups::create(options, limits, fallback_rlimits, core.enforced, &spec.limits, std::move(cgroup_pool));
    config.cgroup_count = static_cast<int>(core.cgroups.tasks_fds().size());
  };
  auto send_groups = [&] {
    if (config.cgroup_count == 0) return;
    const std::vector<int> tasks = core.cgroups.tasks_fds();
    if (send_with_descriptors(core.fork_server.get(), "g", 1, tasks.data(), tasks.size(), MSG_NOSIGNAL) != 1)
      throw_errno("sandbox: sending pod init its cgroups");
  };
  // What pod init reads once set going: its view of the host.
  auto take_view = [&] {
    core.view = add_shared_dirs(system_view->entries(), shared_dirs, spec.volumes);
    config.mounts.view = core.view.get();
  };
  // What it reads only at the end of its setup: the paths it covers (the
  // walk of the system directories, once per backend, SystemViewOnce, and
  // the view's own), its security plan (with the seccomp program; the
  // limits no group takes are rlimits of it).
  auto take_ending = [&] {
    const auto system = system_view->covered();
    core.covered = *system;
    core.covered.insert(core.covered.end(), core.view->covered.begin(), core.view->covered.end());
    core.security = make_security_plan(policy);
    core.security.rlimits.insert(core.security.rlimits.end(), fallback_rlimits.begin(), fallback_rlimits.end());
  };
  // Pod init sharing our memory takes those late (pod_init_config.h,
  // late_ending): the walk (~0.1-0.6 ms), the seccomp program and, for an
  // early pod init, the groups are made while it mounts, not before its go.
  const bool late_ending = after_clone;
  config.covered = &core.covered;
  config.late_ending = late_ending;

  config.become_namespace_root = core.user_namespace;
  config.mounts.workdir = options.workdir;
  config.mounts.nosuid = policy.nosuid;
  config.mounts.scratch_size = scratch_size;
  for (const ImageRoot& root : core.image_roots) config.mounts.images.push_back(image_mount(root));
  // A string literal: valid in pod init whether it shares our memory or not.
  if (spec.determinism) config.hostname = kDeterministicHostname.data();
  config.security = &core.security;
  config.fork_server_memory = &core.fork_server_memory;
  config.awaited = awaited;

  // Sharing our memory, pod init sees parts taken after the clone, before
  // the handshake; a copy sees only what was there at the clone. Its
  // groups are made while the kernel makes the namespaces (an early pod
  // init's namespaces are there already: its groups come with the ending).
  if (!after_clone) {
    make_groups();
    take_view();
    take_ending();
  }
  pid_t pid = -1;
  if (early) {
    pid = early->release_pid();
  } else {
    pid = clone_pod_init(config, channels.report.read.get(),
                         after_clone ? std::function<void()>(make_groups) : nullptr);
  }
  if (pid < 0) {
    auto missing = probe_sandbox_support(options).blocker();
    throw Error(ErrorKind::NotSupported,
                missing ? *missing : fmt::format("cannot create the pod's namespaces: {}", std::strerror(-pid)),
                "sandbox pod for '" + spec.test_name + "'");
  }
  core.init_pid = pid;
  core.init_pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  channels.close_pod_ends();
  try {
    if (!core.init_pidfd.valid()) throw_errno("sandbox: pidfd_open of pod init");
    if (!early) send_groups();
    // The namespaces exist from the clone on. An unprivileged runner opens
    // them now, while pod init is still dumpable (it turns that off once set
    // up); a root runner may open them of an undumpable process too, so its
    // pods' are opened once pod init is set going, beside its setup.
    auto open_namespaces = [&] {
      if (core.user_namespace) core.ns_user = open_ns(pid, "user");
      core.ns_ipc = open_ns(pid, "ipc");
      core.ns_uts = open_ns(pid, "uts");
      // One made beside pod init's setup is opened once it is set up.
      if (!core.host_network && !config.network_beside) core.ns_net = open_ns(pid, "net");
      core.ns_pid = open_ns(pid, "pid");
      core.ns_mnt = open_ns(pid, "mnt");
    };
    if (!core.root_runner) open_namespaces();
    if (after_clone) take_view();
    if (needs_go) {
      write_user_namespace_maps(pid, options.pod_id_base);
      channels.give_token("sandbox: releasing pod init");
    }
    if (late_ending) {
      if (early) {
        make_groups();
        send_groups();
      }
      take_ending();
      channels.give_token("sandbox: handing pod init the end of its setup");
    }
    channels.go.reset();
    // After the ending: pod init needs nothing of these.
    if (core.root_runner) open_namespaces();
    describe_isolation(core, spec, policy, scratch_size);
    core.setup_report = std::move(channels.report.read);
  } catch (const Error&) {
    core.destroy();
    // Without the go handshake pod init may fail its setup (a volume's path
    // refused, say) and be gone before its namespaces are opened: then what
    // it reported says why, not the missing /proc/PID/ns entry.
    const std::optional<PodInitReport> failed = read_pod_init_report(channels.report.read.get());
    if (failed && failed->error != 0 && failed->stage != nullptr) throw setup_failure(core, *failed);
    throw;
  } catch (...) {
    core.destroy();
    throw;
  }
  if (setup == Setup::Awaited) await_setup();
}

std::unique_ptr<SandboxPod> SandboxPod::launch(const SandboxOptions& options, const PodSpec& spec,
                                               std::shared_ptr<CgroupPool> cgroup_pool,
                                               std::shared_ptr<SystemViewOnce> system_view,
                                               std::shared_ptr<PodReleases> releases, bool awaited_next) {
  return std::unique_ptr<SandboxPod>(new SandboxPod(options, spec, std::move(cgroup_pool), std::move(system_view),
                                                    std::move(releases), awaited_next ? Setup::Next : Setup::Later));
}

void SandboxPod::await_setup() {
  PodCore& core = *core_;
  if (!core.setup_report.valid()) return;
  // A pod made on demand is about done most times this is called (pod
  // init's last mounts): spinning a moment spares the wake-up of an idle
  // CPU (pod_init_config.h, awaited).
  if (core.init_config->awaited) spin_until_readable(core.setup_report.get(), kSetupSpinNs);
  const std::optional<PodInitReport> ready = read_pod_init_report(core.setup_report.get());
  core.setup_report.reset();
  if (ready && ready->error == 0) {
    try {
      if (core.init_config->network_beside) core.ns_net = open_pod_network(core.init_pid);
    } catch (...) {
      core.destroy();
      throw;
    }
    // Set up: pod init reads nothing of these any more.
    core.init_config.reset();
    return;
  }
  core.destroy();
  if (!ready) throw Error(ErrorKind::Backend, "pod init died while setting up the cleanroom", "sandbox pod " + core.id);
  throw setup_failure(core, *ready);
}

SandboxPod::~SandboxPod() { destroy(); }

void SandboxPod::adopt(const PodSpec& spec) {
  await_setup();
  core_->id = make_pod_id(spec.test_name);
  core_->test_name = spec.test_name;
  core_->sequential_steps = spec.sequential_steps;
}

ExecResult SandboxPod::exec(const ProcessSpec& spec, const CancelToken& cancel) {
  check_alive();
  // A test with a default image runs its steps in that image's root, from
  // the fork server like any step (no service process behind it).
  const ImageRoot* image = core_->step_image_root;
  if (!core_->sequential_steps) return run_in_pod(*core_, kPodPidNamespace, spec, cancel, false, image);
  // The caller promised one step at a time; the lock makes a broken promise
  // slower, never unsafe (a direct step kills every other process of the pod).
  std::lock_guard one_at_a_time(core_->sequential_mutex);
  return run_in_pod(*core_, kPodPidNamespace, spec, cancel, !core_->service_started, image);
}

std::unique_ptr<ServiceInstance> SandboxPod::start_service(const ProcessSpec& spec) {
  check_alive();
  if (core_->sequential_steps) {
    // Waits for a running direct step; from now on steps take the nested
    // namespace, so ending one cannot take the service with it.
    std::lock_guard one_at_a_time(core_->sequential_mutex);
    core_->service_started = true;
  }
  const ImageRoot* image = nullptr;
  if (!spec.image.empty() && spec.rootfs.empty()) {
    image = find_image_root(core_->image_roots, spec.name);
    if (image == nullptr) {
      throw Error(ErrorKind::Config,
                  fmt::format("image \"{}\": the pod was made without it (PodSpec::service_images names the "
                              "services that run from an image)",
                              spec.image),
                  "service '" + spec.name + "'");
    }
  }
  return start_sandbox_service(core_, spec, image);
}

std::optional<int> SandboxPod::connect_tcp(LoopbackIpv4 address, std::uint16_t port) {
  check_alive();
  return connect_tcp_in(core_->network_fd(), address, port, std::chrono::milliseconds(1000));
}

void SandboxPod::destroy() { core_->destroy(); }

void SandboxPod::check_alive() const {
  core_->check_not_destroyed();
}

void PodCore::check_not_destroyed() const {
  if (destroyed.load()) throw Error(ErrorKind::Backend, "the pod was destroyed", "sandbox pod " + id);
}

void PodCore::destroy() noexcept {
  PodLeftovers left;
  {
    std::lock_guard lock(destroy_mutex);
    if (destroyed.exchange(true)) return;
    kill_and_take_leftovers(left);
    if (!releases) {
      left.release();
      return;
    }
  }
  // The groups stay on this thread, beside the worker's closing of the
  // namespaces (the longer part): back to the pool, or removed once it is
  // closed (after the last planned pod, ~0.1 ms for its rmdirs).
  PodCgroups groups = std::move(left.cgroups);
  // Not under destroy_mutex: handing over takes the standby worker's lock,
  // under which the worker lets go of pods it made (their destructors take
  // their destroy_mutex).
  if (!releases->hand_over(left)) left.release();
  groups.remove();
}

void PodCore::kill_and_take_leftovers(PodLeftovers& left) noexcept {
  if (init_pid > 0) {
    // PID 1 of the pod's namespace: its death makes the kernel kill every
    // process in the pod, including nested step and service namespaces.
    if (init_pidfd.valid()) {
      ::syscall(SYS_pidfd_send_signal, init_pidfd.get(), SIGKILL, nullptr, 0);
    } else {
      ::kill(init_pid, SIGKILL);
    }
    while (::waitpid(init_pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    init_pid = -1;
  }
  std::unique_lock guard(spawn_guard);
  init_pidfd.reset();
  fork_server.reset();
  // Every process of the pod is gone: what is left holds up nobody.
  left = PodLeftovers{{std::move(ns_user), std::move(ns_ipc), std::move(ns_uts), std::move(ns_net), std::move(ns_pid),
                       std::move(ns_mnt)},
                      std::move(cgroups)};
}

void prepare_pod_parts(const SandboxOptions& options, const PodSpec& spec, CgroupPool& pool) {
  const bool root_runner = ::geteuid() == 0;
  if (!parts_after_clone(root_runner, has_user_namespace(root_runner, spec.level))) return;
  const IsolationPolicy policy = make_isolation_policy(spec.level, spec.limits, spec.host_network);
  // The groups first: the worker takes them before the clone, the security
  // plan only after it.
  PodCgroups::prepare(options, pod_limits(options, spec, policy), pool);
  (void)make_security_plan(policy);  // builds the seccomp program into its cache
}

}  // namespace clnrm::sandbox
