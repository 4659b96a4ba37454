// Pods from images on the sandbox (issue 16): each service that names an
// image runs in an overlayfs root of its layers (hand-made here, the way the
// image store lays them out: tests/integration/image_layers.h), with the
// image's config, all in the pod's one network namespace.
#include "integration/image_layers.h"
#include "integration/sandbox_test_support.h"

#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <clnrm/runner.h>
#include <clnrm/sandbox.h>
#include <clnrm/service.h>
#include <clnrm/session.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

namespace clnrm::testing {
namespace {

ImageRegistry& registry() {
  static ImageRegistry r;
  return r;
}

// A backend with an image resolver (the test's registry), no standby pods:
// every pod of these tests is made, and dies, where the test can see it.
Backend& image_backend() {
  static std::unique_ptr<Backend> backend = [] {
    SandboxOptions options;
    options.standby_pods = 0;
    options.resolve_image = [](const std::string& reference, const std::string&) { return registry().resolve(reference); };
    return make_sandbox_backend(options);
  }();
  return *backend;
}

std::unique_ptr<Pod> image_pod(const std::string& name, std::vector<std::pair<std::string, std::string>> images,
                               SecurityLevel level = SecurityLevel::Medium) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = level;
  spec.service_images = std::move(images);
  return image_backend().create_pod(spec);
}

ProcessSpec service(const std::string& name, const std::string& image, std::vector<std::string> args = {}) {
  ProcessSpec spec;
  spec.name = name;
  spec.image = image;
  spec.argv = std::move(args);
  return spec;
}

// The service's log once it holds `text` (or what it holds after 10 s).
std::string wait_for_log(ServiceInstance& s, const std::string& text) {
  for (int i = 0; i < 1000; ++i) {
    const std::string log = s.logs();
    if (log.find(text) != std::string::npos || !s.running()) return log;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return s.logs();
}

ExecResult in_service(ServiceInstance& s, const std::string& script) {
  CancelToken cancel;
  return s.exec(shell(script), cancel);
}

// A busybox image whose default command is `sh -c <cmd>`, lowest layer only.
struct BusyboxImage {
  ImageLayers layers;
  std::string base;
  std::string reference;
  BusyboxImage(const std::string& ref, const std::string& marker, ImageConfig config = {}) : reference(ref) {
    base = layers.busybox_layer("base", marker);
    if (config.entrypoint.empty() && config.cmd.empty()) config.cmd = {"/bin/sh", "-c", "exec sleep 1000"};
    image_config = std::move(config);
  }
  // Registers it with the layers written so far (own_for_pods first).
  void publish(std::vector<std::string> extra_layers = {}) {
    std::vector<std::string> all = {base};
    all.insert(all.end(), extra_layers.begin(), extra_layers.end());
    layers.own_for_pods();
    registry().add(make_image(reference, all, image_config));
  }
  ImageConfig image_config;
};

// Every entry of a directory tree with its size and mode: what a pod must
// never change in a layer.
std::set<std::string> snapshot(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out.insert(e.path().string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mode) + " " +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  }
  return out;
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// Host mount table lines naming `text`.
int host_mounts_with(const std::string& text) {
  int n = 0;
  std::istringstream in(read_file_or_empty("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) n += line.find(text) != std::string::npos ? 1 : 0;
  return n;
}

TEST(SandboxImage, ServiceWithoutArgsRunsTheImagesDefaultCommand) {
  ImageConfig config;
  config.entrypoint = {"/bin/sh", "-c"};
  config.cmd = {"echo default:$(cat /etc/image-name); ls /usr 2>&1 || echo no-usr; exec sleep 1000"};
  BusyboxImage image("itest/default-cmd:1", "default-cmd", config);
  image.publish();
  auto pod = image_pod("image-default", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference));
  const std::string log = wait_for_log(*svc, "no-usr");
  // The image's own files, nothing of the host's (no /usr in this image).
  EXPECT_NE(log.find("default:default-cmd\n"), std::string::npos) << log;
  EXPECT_NE(log.find("no-usr"), std::string::npos) << log;
  EXPECT_TRUE(svc->running());
}

TEST(SandboxImage, ArgsReplaceCmdAndKeepEntrypoint) {
  ImageConfig config;
  config.entrypoint = {"/bin/sh", "-c"};
  config.cmd = {"echo from-cmd; exec sleep 1000"};
  BusyboxImage image("itest/args:1", "args", config);
  image.publish();
  auto pod = image_pod("image-args", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference, {"echo from-args; exec sleep 1000"}));
  const std::string log = wait_for_log(*svc, "from-args");
  EXPECT_EQ(log, "from-args\n");
}

TEST(SandboxImage, EnvWorkingDirAndUserComeFromTheConfig) {
  ImageConfig config;
  config.cmd = {"/bin/sh", "-c", "echo \"$FOO $BAR $(pwd) $(id -u):$(id -g)\"; exec sleep 1000"};
  config.env = {"PATH=/bin", "FOO=image-foo", "BAR=image-bar"};
  config.working_dir = "/srv/app";  // not in the layers: made, as Docker does
  config.user = "app";
  BusyboxImage image("itest/config:1", "config", config);
  image.publish();
  auto pod = image_pod("image-config", {{"svc", image.reference}});
  ProcessSpec spec = service("svc", image.reference);
  spec.env = {{"BAR", "test-bar"}};
  auto svc = pod->start_service(spec);
  const std::string log = wait_for_log(*svc, "\n");
  EXPECT_EQ(log, "image-foo test-bar /srv/app 1000:1000\n");
  // A step inside the service: the same user, workdir and environment, and
  // no capability left (Docker's non-root USER).
  const ExecResult r = in_service(*svc, "id -u; pwd; echo $FOO $BAR; grep CapEff /proc/self/status; touch /etc/x 2>&1 || echo denied");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data.substr(0, r.stdout_data.find("CapEff")),
            "1000\n/srv/app\nimage-foo test-bar\n")
      << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("CapEff:\t0000000000000000"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("denied"), std::string::npos) << r.stdout_data;
}

TEST(SandboxImage, NumericUserAndGroup) {
  ImageConfig config;
  config.user = "4242:77";
  BusyboxImage image("itest/numeric-user:1", "numeric", config);
  image.publish();
  auto pod = image_pod("image-numeric-user", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference));
  const ExecResult r = in_service(*svc, "echo $(id -u):$(id -g)");
  EXPECT_EQ(r.stdout_data, "4242:77\n") << r.stderr_data;
}

TEST(SandboxImage, UnknownUserNameIsAConfigErrorNamingTheService) {
  ImageConfig config;
  config.user = "postgres";
  BusyboxImage image("itest/unknown-user:1", "unknown", config);
  image.publish();
  try {
    image_pod("image-unknown-user", {{"db", image.reference}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(e.describe().find("postgres"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("service 'db'"), std::string::npos) << e.describe();
  }
}

TEST(SandboxImage, WhiteoutAndOpaqueDirectoryInAnUpperLayerHideLowerFiles) {
  BusyboxImage image("itest/whiteout:1", "whiteout");
  ImageLayers::write(image.base, "etc/secret", "lower\n");
  ImageLayers::write(image.base, "data/old", "old\n");
  const std::string upper = image.layers.layer("upper");
  ImageLayers::whiteout(upper, "etc/secret");
  ImageLayers::opaque(upper, "data");
  ImageLayers::write(upper, "data/new", "new\n");
  ImageLayers::write(upper, "etc/added", "added\n");
  image.publish({upper});
  auto pod = image_pod("image-whiteout", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference));
  const ExecResult r = in_service(*svc, "ls /data; cat /etc/added /etc/image-name; cat /etc/secret 2>/dev/null || echo hidden");
  EXPECT_EQ(r.stdout_data, "new\nadded\nwhiteout\nhidden\n") << r.stderr_data;
}

TEST(SandboxImage, TwoServicesFromTwoImagesShareThePodsLoopback) {
  ImageConfig server_config;
  server_config.cmd = {"nc", "-ll", "-p", "7001", "-e", "cat", "/etc/image-name"};
  server_config.env = {"PATH=/bin"};
  server_config.exposed_tcp_ports = {7001};
  BusyboxImage server("itest/server:1", "server-image", server_config);
  server.publish();
  BusyboxImage client("itest/client:1", "client-image");
  client.publish();
  auto pod = image_pod("image-two", {{"server", server.reference}, {"client", client.reference}});
  auto srv = pod->start_service(service("server", server.reference));
  auto cli = pod->start_service(service("client", client.reference));
  // ExposedPorts is the readiness default the runner waits on.
  EXPECT_EQ(srv->default_ready_ports(), (std::vector<std::uint16_t>{7001}));
  EXPECT_TRUE(cli->default_ready_ports().empty());
  ExecResult r;
  for (int i = 0; i < 200; ++i) {
    r = in_service(*cli, "cat /etc/image-name; nc 127.0.0.1 7001 </dev/null");
    if (r.stdout_data.find("server-image") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // Each its own root, one network namespace.
  EXPECT_EQ(r.stdout_data, "client-image\nserver-image\n") << r.stderr_data;
}

TEST(SandboxImage, StepsNamingAServiceSeeItsFilesystemOthersThePods) {
  ImageConfig config;
  config.cmd = {"/bin/sh", "-c", "echo written-by-service > /state; exec sleep 1000"};
  BusyboxImage image("itest/state:1", "state");
  image.image_config = config;
  image.publish();
  auto pod = image_pod("image-steps", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference));
  ExecResult r;
  for (int i = 0; i < 200; ++i) {
    r = in_service(*svc, "cat /state");
    if (r.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(r.stdout_data, "written-by-service\n") << r.stderr_data;
  // The step's writes land in the same root, and the pod's /tmp is shared.
  EXPECT_EQ(in_service(*svc, "echo from-step > /etc/step; echo via-tmp > /tmp/work/shared; cat /etc/step").stdout_data,
            "from-step\n");
  // A step naming no service runs on the pod's view of the host, as before.
  const ExecResult plain = run(*pod, shell("cat /etc/debian_version >/dev/null && echo host-view; "
                                           "cat /state 2>/dev/null || echo no-state; cat /tmp/work/shared"));
  EXPECT_EQ(plain.stdout_data, "host-view\nno-state\nvia-tmp\n") << plain.stderr_data;
}

TEST(SandboxImage, WritesNeverReachTheLayersOrAnotherPod) {
  BusyboxImage image("itest/writes:1", "writes");
  image.publish();
  const std::set<std::string> before = snapshot(image.layers.base());
  {
    auto pod = image_pod("image-writes-1", {{"svc", image.reference}});
    auto svc = pod->start_service(service("svc", image.reference));
    const ExecResult r = in_service(
        *svc, "echo changed > /etc/image-name && echo new > /etc/new && rm /bin/cat && mkdir /made && "
              "chmod 700 /etc && echo ok");
    EXPECT_EQ(r.stdout_data, "ok\n") << r.stderr_data;
  }
  EXPECT_EQ(snapshot(image.layers.base()), before);
  auto pod = image_pod("image-writes-2", {{"svc", image.reference}});
  auto svc = pod->start_service(service("svc", image.reference));
  const ExecResult r = in_service(*svc, "cat /etc/image-name; ls /etc/new /made 2>/dev/null || echo fresh; ls /bin/cat");
  EXPECT_EQ(r.stdout_data, "writes\nfresh\n/bin/cat\n") << r.stderr_data;
}

TEST(SandboxImage, NothingIsLeftAfterThePodDiesEvenAfterAStepTimeout) {
  BusyboxImage image("itest/teardown:1", "teardown");
  image.publish();
  const std::string marker = unique_marker("image-teardown");
  {
    auto pod = image_pod("image-teardown", {{"svc", image.reference}});
    ProcessSpec spec = service("svc", image.reference);
    spec.env = {{"MARKER", marker}};
    auto svc = pod->start_service(spec);
    ProcessSpec slow = shell("sleep 1000");
    slow.timeout = Duration(200);
    CancelToken cancel;
    const ExecResult r = svc->exec(slow, cancel);
    EXPECT_TRUE(r.timed_out);
    // The service runs in its overlay root (seen from the host).
    const auto pids = host_processes_with(marker);
    ASSERT_FALSE(pids.empty());
    const std::string mounts = read_file_or_empty("/proc/" + std::to_string(pids.front()) + "/mountinfo");
    EXPECT_NE(mounts.find(" / / rw,nosuid,nodev"), std::string::npos) << mounts;
    EXPECT_NE(mounts.find("- overlay overlay"), std::string::npos) << mounts;
    pod->destroy();
    for (pid_t pid : pids) EXPECT_FALSE(process_exists(pid)) << pid;
  }
  EXPECT_TRUE(host_processes_with(marker).empty());
  // No mount on the host (everything lived in the pod's mount namespace),
  // nothing beside the layers (the upper and work directories were on the
  // pod's scratch tmpfs).
  EXPECT_EQ(host_mounts_with(image.layers.base()), 0);
  EXPECT_EQ(entries(image.layers.base()), std::set<std::string>{"base"});
}

TEST(SandboxImage, TheSameImageTwiceInOnePodGivesEachServiceItsOwnRoot) {
  BusyboxImage image("itest/twice:1", "twice");
  image.publish();
  auto pod = image_pod("image-twice", {{"a", image.reference}, {"b", image.reference}});
  auto a = pod->start_service(service("a", image.reference));
  auto b = pod->start_service(service("b", image.reference));
  EXPECT_EQ(in_service(*a, "echo a > /etc/who; cat /etc/who").stdout_data, "a\n");
  EXPECT_EQ(in_service(*b, "cat /etc/who 2>/dev/null || echo none").stdout_data, "none\n");
}

// As in a `clnrm run`: the backend prepares the next pod of a kind in the
// background (standby pods), resolving its images there; that pod runs the
// image as well, and goes with the backend.
TEST(SandboxImage, StandbyPodsOfAnImageKindRunIt) {
  BusyboxImage image("itest/standby:1", "standby");
  image.publish();
  SandboxOptions options;
  options.standby_pods = 1;
  options.resolve_image = [](const std::string& reference, const std::string&) { return registry().resolve(reference); };
  auto backend = make_sandbox_backend(options);
  PodSpec spec;
  spec.test_name = "image-standby";
  spec.service_images = {{"svc", image.reference}};
  for (int i = 0; i < 3; ++i) {
    auto pod = backend->create_pod(spec);
    auto svc = pod->start_service(service("svc", image.reference));
    EXPECT_EQ(in_service(*svc, "cat /etc/image-name").stdout_data, "standby\n") << i;
  }
  backend.reset();
  EXPECT_EQ(host_mounts_with(image.layers.base()), 0);
}

TEST(SandboxImage, HighLevelRunsImagesToo) {
  BusyboxImage image("itest/high:1", "high");
  image.publish();
  auto pod = image_pod("image-high", {{"svc", image.reference}}, SecurityLevel::High);
  auto svc = pod->start_service(service("svc", image.reference));
  EXPECT_EQ(in_service(*svc, "cat /etc/image-name; echo w > /w && cat /w").stdout_data, "high\nw\n");
}

TEST(SandboxImage, LevelLowWithARootRunnerIsRefused) {
  BusyboxImage image("itest/low:1", "low");
  image.publish();
  if (::geteuid() != 0) {
    // An unprivileged runner's low pods have a user namespace: images run.
    EXPECT_NO_THROW(image_pod("image-low", {{"svc", image.reference}}, SecurityLevel::Low));
    return;
  }
  try {
    image_pod("image-low", {{"svc", image.reference}}, SecurityLevel::Low);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotSupported);
    EXPECT_NE(e.describe().find("level low"), std::string::npos) << e.describe();
  }
}

TEST(SandboxImage, AnImageTheResolverCannotFindFailsThePodNamingServiceAndImage) {
  try {
    image_pod("image-missing", {{"web", "itest/not-there:1"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(e.describe().find("service 'web'"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("itest/not-there:1"), std::string::npos) << e.describe();
  }
}

TEST(SandboxImage, ABackendWithoutAResolverRunsNoImage) {
  EXPECT_FALSE(sandbox_backend().capabilities().runs_images);
  EXPECT_TRUE(image_backend().capabilities().runs_images);
  PodSpec spec;
  spec.test_name = "no-resolver";
  spec.service_images = {{"svc", "itest/anything:1"}};
  try {
    sandbox_backend().create_pod(spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotSupported);
    EXPECT_NE(e.describe().find("no image store"), std::string::npos) << e.describe();
  }
}

// Through the runner, as `clnrm run` does it: the file's services name
// images and give no args (the images' Cmd runs), nothing says when the
// server is ready (its ExposedPorts does: it listens only after a while, so
// a step that did not wait would find nothing there), and steps naming a
// service run in its filesystem.
TEST(SandboxImage, TheRunnerRunsAFileWhoseServicesNameImages) {
  ImageConfig server_config;
  server_config.cmd = {"/bin/sh", "-c", "sleep 0.5; exec nc -ll -p 7002 -e cat /etc/image-name"};
  server_config.exposed_tcp_ports = {7002};
  BusyboxImage server("itest/runner-server:1", "server-image", server_config);
  server.publish();
  BusyboxImage client("itest/runner-client:1", "client-image");
  client.publish();
  const ParseResult parsed = parse_test_text(R"toml(
[test.metadata]
name = "image-runner"
[services.server]
plugin = "generic_container"
image = "itest/runner-server:1"
[services.client]
plugin = "generic_container"
image = "itest/runner-client:1"
[[steps]]
name = "talk"
service = "client"
command = ["sh", "-c", "echo $(cat /etc/image-name)-$(nc 127.0.0.1 7002 </dev/null)"]
expected_output_regex = "^client-image-server-image$"
[[steps]]
name = "server-files"
service = "server"
command = ["cat", "/etc/image-name"]
expected_output_regex = "^server-image$"
[[steps]]
name = "host-view"
command = ["cat", "/etc/debian_version"]
)toml",
                                             "image-runner.clnrm.toml");
  ASSERT_TRUE(parsed.ok()) << (parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().format());
  SandboxOptions options;
  options.standby_pods = 0;
  options.resolve_image = [](const std::string& reference, const std::string&) { return registry().resolve(reference); };
  Session session(std::shared_ptr<Backend>(make_sandbox_backend(options)));
  register_builtin_plugins(session.services());
  const TestResult r = run_test(session, *parsed.spec, {});
  EXPECT_EQ(r.status, Status::Passed) << r.message;
  for (const StepResult& step : r.steps) EXPECT_EQ(step.status, Status::Passed) << step.name << ": " << step.message << step.exec.stderr_data;
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(r.services[0].image, "itest/runner-server:1");
}

// The test's default image (PodSpec::step_image): steps that name no
// service run in an overlay root of it, with its config, and no process is
// started for the image; steps run straight under pod init when the test
// has no service (sequential_steps), and see each other's writes.
TEST(SandboxImage, TheTestsImageRunsStepsWithoutAServiceInItsRoot) {
  ImageConfig config;
  config.env = {"PATH=/bin", "FOO=image-foo", "BAR=image-bar"};
  config.working_dir = "/srv/app";
  config.user = "app";
  BusyboxImage image("itest/steps:1", "steps-image", config);
  image.publish();
  PodSpec spec;
  spec.test_name = "image-steps-default";
  spec.step_image = image.reference;
  spec.sequential_steps = true;
  auto pod = image_backend().create_pod(spec);
  ProcessSpec step = shell("cat /etc/image-name; ls /usr 2>/dev/null || echo no-usr; pwd; echo $FOO $BAR; id -u; "
                           "cat /proc/[0-9]*/comm | grep -c sleep; true");
  step.env = {{"BAR", "step-bar"}};
  ExecResult r = run(*pod, step);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  // The image's Cmd (sleep 1000) is not run: no service behind the steps.
  EXPECT_EQ(r.stdout_data, "steps-image\nno-usr\n/srv/app\nimage-foo step-bar\n1000\n0\n") << r.stderr_data;
  EXPECT_EQ(run(*pod, shell("echo kept > /tmp/note; echo w > /srv/mine 2>/dev/null || echo denied")).stdout_data,
            "denied\n");
  EXPECT_EQ(run(*pod, shell("cat /tmp/note")).stdout_data, "kept\n");
  const auto described = pod->enforced_limits();
  EXPECT_TRUE(std::any_of(described.begin(), described.end(), [](const EnforcedLimit& e) {
    return e.what == "image" && e.mechanism.find("the test's steps") != std::string::npos;
  }));
}

TEST(SandboxImage, TheTestsImageAtLevelLowWithARootRunnerIsRefusedSayingWhere) {
  BusyboxImage image("itest/steps-low:1", "steps-low");
  image.publish();
  PodSpec spec;
  spec.test_name = "image-steps-low";
  spec.level = SecurityLevel::Low;
  spec.step_image = image.reference;
  spec.step_image_at = "low.clnrm.toml:3:9";
  if (::geteuid() != 0) {
    EXPECT_NO_THROW(image_backend().create_pod(spec));
    return;
  }
  try {
    image_backend().create_pod(spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotSupported);
    EXPECT_NE(e.describe().find("the test's image (low.clnrm.toml:3:9)"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("level low"), std::string::npos) << e.describe();
  }
  spec.step_image = "itest/not-there:1";
  spec.level = SecurityLevel::Medium;
  try {
    image_backend().create_pod(spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("the test's image (low.clnrm.toml:3:9)"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("itest/not-there:1"), std::string::npos) << e.describe();
  }
}

// Through the runner: [test] image; a service on the host view still runs
// there, and steps that name it run in it; a step in a scenario also runs in
// the test's image.
TEST(SandboxImage, TheRunnerRunsStepsInTheTestsImage) {
  BusyboxImage image("itest/runner-steps:1", "runner-steps");
  image.publish();
  const ParseResult parsed = parse_test_text(R"toml(
[test]
name = "image-default-runner"
image = "itest/runner-steps:1"
[services.host]
plugin = "process"
args = ["sleep", "300"]
[[steps]]
name = "in-image"
command = ["cat", "/etc/image-name"]
expected_output_regex = "^runner-steps$"
[[steps]]
name = "in-service"
service = "host"
command = ["cat", "/etc/debian_version"]
[[scenario]]
name = "later"
[[scenario.steps]]
name = "scenario-in-image"
command = ["sh", "-c", "ls /usr 2>/dev/null || echo no-usr"]
expected_output_regex = "^no-usr$"
)toml",
                                             "image-default-runner.clnrm.toml");
  ASSERT_TRUE(parsed.ok()) << (parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().format());
  EXPECT_EQ(parsed.spec->image, "itest/runner-steps:1");
  SandboxOptions options;
  options.standby_pods = 0;
  options.resolve_image = [](const std::string& reference, const std::string&) { return registry().resolve(reference); };
  Session session(std::shared_ptr<Backend>(make_sandbox_backend(options)));
  register_builtin_plugins(session.services());
  const TestResult r = run_test(session, *parsed.spec, {});
  EXPECT_EQ(r.status, Status::Passed) << r.message;
  for (const StepResult& step : r.steps) EXPECT_EQ(step.status, Status::Passed) << step.name << ": " << step.message << step.exec.stderr_data;
  EXPECT_EQ(r.steps.size(), 3u);
}


// The test's volumes in image roots (docs/SANDBOX.md, "Image pods"): a
// directory below the test's own /var/tmp directory, removed with it.
struct ImageVolumeDir {
  std::string path = "/var/tmp/" + unique_marker("clnrm-image-volume");
  ImageVolumeDir() {
    ImageLayers::write(path, "static/index.html", "from-volume\n");
    std::filesystem::create_directories(path + "/out");
    std::filesystem::permissions(path + "/out", std::filesystem::perms::all);  // 0777: the pod's root writes
    ImageLayers::write(path, "single.txt", "single\n");
  }
  ~ImageVolumeDir() { std::filesystem::remove_all(path); }
};

TEST(SandboxImage, VolumesOutsideTmpAreInTheServicesRootItsStepsAndTheTestsImageWithTheirFlags) {
  BusyboxImage image("itest/volumes:1", "volumes");
  image.publish();
  ImageVolumeDir dir;
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = "image-volumes";
  spec.service_images = {{"svc", image.reference}};
  spec.step_image = image.reference;
  spec.volumes = {VolumeSpec{dir.path + "/static", "/srv/static", true, {}},
                  VolumeSpec{dir.path + "/out", "/data/out", false, {}},
                  VolumeSpec{dir.path + "/single.txt", "/opt-data/single.txt", true, {}}};
  auto pod = image_backend().create_pod(spec);
  auto svc = pod->start_service(
      service("svc", image.reference, {"/bin/sh", "-c", "cat /srv/static/index.html; exec sleep 1000"}));
  EXPECT_EQ(wait_for_log(*svc, "from-volume"), "from-volume\n");
  const char* script =
      "cat /etc/image-name /srv/static/index.html /opt-data/single.txt; "
      "touch /srv/static/new 2>&1; mkdir /srv/static/dir 2>&1; (echo x > /opt-data/single.txt) 2>&1; "
      "echo written > /data/out/w.txt && echo wrote";
  const ExecResult in_svc = in_service(*svc, script);
  const ExecResult in_image = run(*pod, shell(script));
  for (const ExecResult* r : {&in_svc, &in_image}) {
    EXPECT_EQ(r->stdout_data.rfind("volumes\nfrom-volume\nsingle\n", 0), 0u) << r->stdout_data << r->stderr_data;
    // touch, mkdir and the write to the read-only file: EROFS, not EACCES.
    std::size_t read_only = 0;
    for (std::size_t at = 0; (at = r->stdout_data.find("Read-only file system", at)) != std::string::npos; ++at)
      ++read_only;
    EXPECT_EQ(read_only, 3u) << r->stdout_data;
    EXPECT_NE(r->stdout_data.find("wrote\n"), std::string::npos) << r->stdout_data << r->stderr_data;
  }
  EXPECT_EQ(read_file_or_empty(dir.path + "/out/w.txt"), "written\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/static/new"));
  EXPECT_EQ(read_file_or_empty(dir.path + "/single.txt"), "single\n");
  // nosuid,nodev as in the pod's root.
  const ExecResult flags = in_service(*svc, "grep ' /srv/static ' /proc/self/mountinfo");
  EXPECT_NE(flags.stdout_data.find("ro,nosuid,nodev"), std::string::npos) << flags.stdout_data;
}

TEST(SandboxImage, AVolumeBelowAnImagesSymbolicLinkStaysInsideTheImageRoot) {
  BusyboxImage image("itest/volume-link:1", "volume-link");
  // A link climbing out of the image root: resolved inside it, as the
  // image's processes see it (/srv is /etc of the image).
  std::filesystem::create_symlink("../../../../../../../etc", image.base + "/srv");
  image.publish();
  ImageVolumeDir dir;
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = "image-volume-link";
  spec.service_images = {{"svc", image.reference}};
  spec.volumes = {VolumeSpec{dir.path + "/static", "/srv/static", true, {}}};
  auto pod = image_backend().create_pod(spec);
  auto svc = pod->start_service(service("svc", image.reference));
  const ExecResult r = in_service(*svc, "cat /srv/static/index.html /etc/static/index.html");
  EXPECT_EQ(r.stdout_data, "from-volume\nfrom-volume\n") << r.stderr_data;
  // The pod's own view (a step naming no service) has it at /srv/static
  // only, not in its /etc.
  const ExecResult plain = run(*pod, shell("cat /srv/static/index.html; ls /etc/static 2>/dev/null || echo none"));
  EXPECT_EQ(plain.stdout_data, "from-volume\nnone\n") << plain.stderr_data;
}

}  // namespace
}  // namespace clnrm::testing
