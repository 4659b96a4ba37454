// Sandbox backend cost, side by side with the kernel's floor and peers.
//
//   IsolatedStep/FreshPod   create a pod (fresh PID, mount, UTS, IPC, network
//                           namespaces + mounts + loopback), run /bin/true in
//                           it with output captured, destroy the pod
//   RawFloor/AllNamespaces  a bare clone() with the same namespace flags +
//                           execve(/bin/true) + wait4: what the kernel costs
//   PodStep_ExistingPod/L/D one more step in an existing pod (output captured)
//                           at level L (0 low, 1 medium, 2 high: seccomp, no
//                           capabilities); D 1: straight under pod init (a
//                           test without services), 0: in a fresh nested PID
//                           namespace (a test with services)
//   RawFloor/NewPid         a bare clone(CLONE_NEWPID) + execve + wait4
//   IsolatedStep_FreshPodCold  the same with every pod made on the measured
//                           path (no standby pod made in the background)
//   PodCreateDestroy        a pod without any step (made on demand)
//   Peer/Unshare, Peer/Bwrap  `unshare ...` and `bwrap ...` as subprocesses
//   BM_ImagePodLifecycle    a pod whose one service runs from a cached image
//                           (hand-made busybox layer, an overlayfs root), one
//                           /bin/true step in that service, teardown
//   BM_ServicePodLifecycle  the same with the service on the pod's host view
//                           (no image): what the image root itself costs
//   BM_DefaultImagePodLifecycle  a test with a default image (PodSpec::
//                           step_image, the bench image): pod, one /bin/true
//                           step in the image's root (no service), teardown;
//                           against IsolatedStep_FreshPod (target: <= 2x)
//   BM_DefaultImagePod_EngineBusybox  the same with clnrm-test/busybox from
//                           the real image store (exported once from the test
//                           engine into a private cache; then each pod asks
//                           the backend's in-memory memo, as in `clnrm run`)
//   Docker_FreshPodTrue_Busybox  the docker backend's fresh pod + /bin/true +
//                           teardown on the same clnrm-test/busybox, in the
//                           same run (docker_benchmarks' BM_DockerFreshPodExecRemove):
//                           the default-image pod's target is <= 1/20 of it
//
// Run:  cmake --preset release && cmake --build --preset release --target sandbox_benchmarks
//       build/release/bench/sandbox_benchmarks --benchmark_repetitions=10
//         --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
// (interleaving alternates the floor and the backend, so load drift on a
// shared machine hits both the same way)
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <clnrm/sandbox.h>

#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clnrm/policy.h>

#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace {

// The default backend: a standby pod of the kind last asked for is made in
// the background (SandboxOptions::standby_pods), as in a `clnrm run`.
clnrm::Backend& backend() {
  static auto b = clnrm::make_sandbox_backend();
  return *b;
}

// Every pod made on demand, on the measured path.
clnrm::Backend& cold_backend() {
  static auto b = [] {
    clnrm::SandboxOptions options;
    options.standby_pods = 0;
    return clnrm::make_sandbox_backend(options);
  }();
  return *b;
}

// As the runner makes it for a test without services or concurrent
// scenarios (test_runner.cpp): steps run straight under the pod's init.
clnrm::PodSpec pod_spec() {
  clnrm::PodSpec spec;
  spec.test_name = "bench";
  spec.level = clnrm::SecurityLevel::Medium;
  spec.sequential_steps = true;
  return spec;
}

clnrm::ProcessSpec true_step() {
  clnrm::ProcessSpec spec;
  spec.name = "true";
  spec.argv = {"/bin/true"};
  return spec;
}

// One isolated step per iteration, as a test without services sees it: a
// pod from `from`, /bin/true with its output captured, teardown.
void fresh_pod_steps(benchmark::State& state, clnrm::Backend& from, const clnrm::PodSpec& spec) {
  const auto step = true_step();
  clnrm::CancelToken cancel;
  for (auto _ : state) {
    auto pod = from.create_pod(spec);
    auto r = pod->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError("step failed");
    benchmark::DoNotOptimize(r);
    pod->destroy();
  }
}

void IsolatedStep_FreshPod(benchmark::State& state) {
  const auto spec = pod_spec();
  fresh_pod_steps(state, backend(), spec);
}
BENCHMARK(IsolatedStep_FreshPod)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The same without standby pods: the pod's creation is on the measured path
// (with standby, it overlaps the previous iteration on the other core).
void IsolatedStep_FreshPodCold(benchmark::State& state) {
  const auto spec = pod_spec();
  fresh_pod_steps(state, cold_backend(), spec);
}
BENCHMARK(IsolatedStep_FreshPodCold)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The same with every step in a nested PID namespace of its own (what a test
// with a service or a concurrent scenario gets).
void IsolatedStep_FreshPodNested(benchmark::State& state) {
  auto spec = pod_spec();
  spec.sequential_steps = false;
  fresh_pod_steps(state, backend(), spec);
}
BENCHMARK(IsolatedStep_FreshPodNested)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Arg: security level (0 low, 1 medium, 2 high). One isolated step as a test
// sees it, every pod made on the measured path (no standby), so the level's
// whole cost shows: a fresh pod with the level's whole IsolationPolicy (capabilities,
// no_new_privs, seccomp, and the level's default cgroup limits: none at low,
// memory+pids at medium, memory+pids+cpu at high), one step, teardown.
void IsolatedStep_FreshPodAtLevel(benchmark::State& state) {
  auto spec = pod_spec();
  spec.level = static_cast<clnrm::SecurityLevel>(state.range(0));
  fresh_pod_steps(state, cold_backend(), spec);
}
BENCHMARK(IsolatedStep_FreshPodAtLevel)->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The same, with the high level's limits set explicitly at every level: the
// difference between levels is then capabilities + no_new_privs + seccomp
// only (the cgroups, which cost the same for any level that has limits, are
// in every variant).
void IsolatedStep_FreshPodSameLimits(benchmark::State& state) {
  auto spec = pod_spec();
  spec.level = static_cast<clnrm::SecurityLevel>(state.range(0));
  spec.limits = clnrm::default_limits(clnrm::SecurityLevel::High);
  fresh_pod_steps(state, cold_backend(), spec);
}
BENCHMARK(IsolatedStep_FreshPodSameLimits)->Arg(0)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The floor: clone with the pod's namespace flags, exec /bin/true, wait4.
void raw_clone_exec(int flags) {
  char path[] = "/bin/true";
  char* argv[] = {path, nullptr};
  const long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) {
    execve(path, argv, environ);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(static_cast<pid_t>(pid), &status, 0, &ru);
  benchmark::DoNotOptimize(status);
}

void RawFloor_AllNamespaces(benchmark::State& state) {
  for (auto _ : state) {
    raw_clone_exec(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC);
  }
}
BENCHMARK(RawFloor_AllNamespaces)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Arg: security level (0 low, 1 medium, 2 high): the policy's per-step cost.
// Arg 2: 1 = direct steps (sequential_steps), 0 = nested PID namespace.
void PodStep_ExistingPod(benchmark::State& state) {
  auto spec = pod_spec();
  spec.level = static_cast<clnrm::SecurityLevel>(state.range(0));
  spec.sequential_steps = state.range(1) != 0;
  auto pod = backend().create_pod(spec);
  const auto step = true_step();
  clnrm::CancelToken cancel;
  for (auto _ : state) {
    auto r = pod->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError("step failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(PodStep_ExistingPod)
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void RawFloor_NewPid(benchmark::State& state) {
  for (auto _ : state) raw_clone_exec(CLONE_NEWPID);
}
BENCHMARK(RawFloor_NewPid)->UseRealTime()->Unit(benchmark::kMicrosecond);

void PodCreateDestroy(benchmark::State& state) {
  const auto spec = pod_spec();
  for (auto _ : state) {
    auto pod = cold_backend().create_pod(spec);
    pod->destroy();
  }
}
BENCHMARK(PodCreateDestroy)->UseRealTime()->Unit(benchmark::kMicrosecond);

void run_subprocess(benchmark::State& state, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto _ : state) {
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      state.SkipWithError("cannot spawn the peer");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("the peer failed");
      break;
    }
  }
}

void Peer_Unshare(benchmark::State& state) {
  run_subprocess(state, {"/usr/bin/unshare", "--pid", "--mount", "--net", "--uts", "--ipc", "--fork", "/bin/true"});
}
BENCHMARK(Peer_Unshare)->UseRealTime()->Unit(benchmark::kMicrosecond);

void Peer_Bwrap(benchmark::State& state) {
  if (access("/usr/bin/bwrap", X_OK) != 0) {
    state.SkipWithError("bwrap not installed (scripts/setup-deps.sh installs bubblewrap)");
    return;
  }
  run_subprocess(state, {"/usr/bin/bwrap", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-ipc",
                         "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"});
}
BENCHMARK(Peer_Bwrap)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A cached image as the image store leaves it (docs/SANDBOX.md, "Image
// pods"): one unpacked layer with busybox as sh, sleep and true, owned by the
// pod id range for a root runner. Removed at exit.
struct BenchImage {
  std::string dir = "/var/tmp/clnrm-bench-image-" + std::to_string(getpid());
  BenchImage() {
    const std::string layer = dir + "/layer";
    std::filesystem::create_directories(layer + "/bin");
    std::filesystem::create_directories(layer + "/tmp");
    std::filesystem::copy_file("/bin/busybox", layer + "/bin/busybox");
    for (const char* tool : {"sh", "sleep", "true"}) std::filesystem::create_symlink("busybox", layer + "/bin/" + tool);
    const std::uint32_t base = clnrm::SandboxOptions{}.pod_id_base;
    if (geteuid() == 0) {
      lchown(layer.c_str(), base, base);
      for (const auto& e : std::filesystem::recursive_directory_iterator(layer)) lchown(e.path().c_str(), base, base);
    }
  }
  ~BenchImage() { std::filesystem::remove_all(dir); }
  clnrm::ImageRootfs rootfs() const {
    clnrm::ImageRootfs image;
    image.reference = "bench/busybox:1";
    image.layer_dirs = {dir + "/layer"};
    image.config.cmd = {"sleep", "1000"};
    image.config.env = {"PATH=/bin"};
    return image;
  }
};

// The default backend (standby pods) with the bench image as its store.
clnrm::Backend& image_backend() {
  static BenchImage image;
  static auto b = [] {
    clnrm::SandboxOptions options;
    options.resolve_image = [](const std::string&, const std::string&) { return image.rootfs(); };
    return clnrm::make_sandbox_backend(options);
  }();
  return *b;
}

// One test with one service and one step in it: pod, service, /bin/true
// inside the service, teardown.
void service_pod_lifecycle(benchmark::State& state, clnrm::Backend& from, const clnrm::PodSpec& spec,
                           const clnrm::ProcessSpec& service) {
  const auto step = true_step();
  clnrm::CancelToken cancel;
  for (auto _ : state) {
    auto pod = from.create_pod(spec);
    auto svc = pod->start_service(service);
    auto r = svc->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError("step failed");
    benchmark::DoNotOptimize(r);
    pod->destroy();
    svc.reset();
  }
}

clnrm::PodSpec service_pod_spec() {
  auto spec = pod_spec();
  spec.sequential_steps = false;  // a test with a service
  return spec;
}

void BM_ImagePodLifecycle(benchmark::State& state) {
  auto spec = service_pod_spec();
  spec.service_images = {{"app", "bench/busybox:1"}};
  clnrm::ProcessSpec service;
  service.name = "app";
  service.image = "bench/busybox:1";  // no args: the image's Cmd
  service_pod_lifecycle(state, image_backend(), spec, service);
}
BENCHMARK(BM_ImagePodLifecycle)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_ServicePodLifecycle(benchmark::State& state) {
  clnrm::ProcessSpec service;
  service.name = "app";
  service.argv = {"/bin/sleep", "1000"};
  service_pod_lifecycle(state, backend(), service_pod_spec(), service);
}
BENCHMARK(BM_ServicePodLifecycle)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A test naming a default image and no service: the one cheap image path.
clnrm::PodSpec default_image_pod_spec(const std::string& image) {
  auto spec = pod_spec();  // sequential steps: no service
  spec.step_image = image;
  return spec;
}

void BM_DefaultImagePodLifecycle(benchmark::State& state) {
  fresh_pod_steps(state, image_backend(), default_image_pod_spec("bench/busybox:1"));
}
BENCHMARK(BM_DefaultImagePodLifecycle)->UseRealTime()->Unit(benchmark::kMicrosecond);

constexpr const char* kEngineBusybox = "clnrm-test/busybox";

// The sandbox as `clnrm run` makes it (standby pods), its images from a
// private store filled from the test engine (scripts/make-test-images.sh).
clnrm::Backend& store_backend() {
  static const std::string cache = "/var/tmp/clnrm-bench-store-" + std::to_string(getpid());
  struct Cleanup {
    ~Cleanup() { std::filesystem::remove_all(cache); }
  };
  static Cleanup cleanup;
  static auto b = [] {
    clnrm::SandboxOptions options;
    clnrm::ImageOptions images;
    images.cache_dir = cache;
    images.offline = true;
    images.engine = clnrm::docker_image_engine();
    options.resolve_image = [images](const std::string& reference, const std::string&) {
      return clnrm::resolve_image(reference, images);
    };
    return clnrm::make_sandbox_backend(options);
  }();
  return *b;
}

void BM_DefaultImagePod_EngineBusybox(benchmark::State& state) {
  const auto spec = default_image_pod_spec(kEngineBusybox);
  try {
    store_backend().create_pod(spec)->destroy();  // the first use: export + unpack, not measured
  } catch (const clnrm::Error& e) {
    state.SkipWithError(("no clnrm-test/busybox (scripts/make-test-images.sh): " + e.describe()).c_str());
    return;
  }
  fresh_pod_steps(state, store_backend(), spec);
}
BENCHMARK(BM_DefaultImagePod_EngineBusybox)->UseRealTime()->Unit(benchmark::kMicrosecond);

void Docker_FreshPodTrue_Busybox(benchmark::State& state) {
  static std::unique_ptr<clnrm::Backend> docker;
  try {
    if (!docker) {
      clnrm::DockerOptions o;
      o.pull_missing = false;
      o.reap_on_start = false;
      docker = clnrm::make_docker_backend(o);
    }
  } catch (const clnrm::Error& e) {
    state.SkipWithError(("no docker engine (scripts/start-docker.sh): " + e.describe()).c_str());
    return;
  }
  clnrm::PodSpec spec;
  spec.test_name = "bench-docker-fresh";
  spec.image = kEngineBusybox;
  spec.level = clnrm::SecurityLevel::Medium;  // as the sandbox pods above
  const auto step = true_step();
  clnrm::CancelToken cancel;
  for (auto _ : state) {
    auto pod = docker->create_pod(spec);
    auto r = pod->exec(step, cancel);
    if (r.exit_code != 0) state.SkipWithError(("docker step failed: " + r.stderr_data).c_str());
    pod->destroy();
    clnrm::docker_wait_teardown(*docker);  // done when its containers are gone
  }
}
BENCHMARK(Docker_FreshPodTrue_Busybox)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
