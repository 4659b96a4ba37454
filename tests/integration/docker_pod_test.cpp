// The docker backend's pods: steps, services, isolation, limits, teardown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "backend/docker/docker_pod.h"
#include "backend/docker/owner.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"
#include "support/proc_file.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// True when a host process runs exactly `argv0 arg` (exec'd processes of the
// local engine are host processes).
bool host_has_process_with_args(const std::string& argv0, const std::string& arg) {
  const std::string want = argv0 + std::string(1, '\0') + arg + std::string(1, '\0');
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    if (testing::read_file_or_empty(entry.path() / "cmdline") == want) return true;
  }
  return false;
}

// SIGKILL is delivered asynchronously: give the kernel a moment.
bool host_process_gone(const std::string& argv0, const std::string& arg) {
  for (int i = 0; i < 50; ++i) {
    if (!host_has_process_with_args(argv0, arg)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Every test leaves nothing behind: destroy() removed all of the session
// (checked at TearDown).
class DockerPodTest : public DockerSessionTest<> {
 protected:
  void SetUp() override { open_session("podtest"); }
};

TEST_F(DockerPodTest, StdoutStderrAndExitCodesAreSeparate) {
  auto pod = backend_->create_pod(pod_spec("streams"));
  auto r = pod->exec(cmd({"sh", "-c", "echo to-out; echo to-err >&2; exit 3"}), never_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_data, "to-out\n");
  EXPECT_EQ(r.stderr_data, "to-err\n");
  EXPECT_FALSE(r.timed_out);
  auto ok = pod->exec(cmd({"true"}), never_);
  EXPECT_EQ(ok.exit_code, 0);
  auto missing = pod->exec(cmd({"no-such-program"}), never_);
  EXPECT_NE(missing.exit_code, 0);
  auto killed = pod->exec(cmd({"sh", "-c", "kill -9 $$"}), never_);
  EXPECT_EQ(killed.exit_code, 137);
  EXPECT_EQ(killed.term_signal, 9);
}

TEST_F(DockerPodTest, OutputIsCappedAtTheLimitAndTheStepStillEnds) {
  auto pod = backend_->create_pod(pod_spec("limit"));
  ProcessSpec p = cmd({"sh", "-c", "yes | head -c 3000000; echo tail >&2"});
  p.output_limit = 1000;
  auto r = pod->exec(p, never_);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data.size(), 1000u);
  EXPECT_EQ(r.stderr_data, "tail\n");
  EXPECT_EQ(pod->exec(cmd({"echo", "after"}), never_).stdout_data, "after\n");
}

TEST_F(DockerPodTest, StepsShareOneStepContainerAndItsFiles) {
  auto pod = backend_->create_pod(pod_spec("shared", kBusybox));
  auto a = pod->exec(cmd({"sh", "-c", "echo data > /tmp/f; hostname"}), never_);
  auto b = pod->exec(cmd({"sh", "-c", "cat /tmp/f; hostname"}), never_);
  EXPECT_EQ(a.exit_code, 0) << a.stderr_data;
  EXPECT_EQ(b.stdout_data, "data\n" + a.stdout_data);
}

TEST_F(DockerPodTest, EnvWorkdirAndStdin) {
  auto pod = backend_->create_pod(pod_spec("env"));
  ProcessSpec p = cmd({"sh", "-c", "echo $GREETING $CLNRM_STEP; pwd; cat"});
  p.env = {{"GREETING", "hi"}};
  p.workdir = "/tmp";
  p.stdin_data = "from stdin";
  auto r = pod->exec(p, never_);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "hi step\n/tmp\nfrom stdin");
}

// Pod::connect_tcp goes to the address it is given (wait_for.http and
// expect_http pass the URL's): a server bound to 127.0.0.2 is reached there,
// and not at 127.0.0.1.
TEST_F(DockerPodTest, ConnectTcpReachesTheLoopbackAddressItIsGiven) {
  auto pod = backend_->create_pod(pod_spec("redis-127-0-0-2", kRedis));
  ProcessSpec svc;
  svc.name = "db";
  svc.image = kRedis;
  svc.argv = {"redis-server", "--bind", "127.0.0.2", "--port", "6380", "--save", "", "--appendonly", "no"};
  auto service = pod->start_service(svc);
  ASSERT_TRUE(wait_ready(*pod, cmd({"redis-cli", "-h", "127.0.0.2", "-p", "6380", "ping"}, kRedis)));
  const std::optional<int> there = pod->connect_tcp(*loopback_ipv4("127.0.0.2"), 6380);
  ASSERT_NE(there, std::nullopt);
  EXPECT_GE(*there, 0);
  if (*there >= 0) ::close(*there);
  EXPECT_EQ(pod->connect_tcp(LoopbackIpv4{}, 6380), std::optional<int>(-1));
  service->stop(Duration(2000));
  docker_wait_teardown(*backend_);
}

TEST_F(DockerPodTest, ServiceInPodIsReachableFromAStepAtLoopback) {
  auto pod = backend_->create_pod(pod_spec("redis", kRedis));
  ProcessSpec svc;
  svc.name = "db";
  svc.image = kRedis;
  svc.argv = {"redis-server", "--port", "6379", "--save", "", "--appendonly", "no"};
  auto service = pod->start_service(svc);
  ASSERT_TRUE(wait_ready(*pod, cmd({"redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"}, kRedis)));
  // No port is published: the runner reaches the service inside the pod's
  // network namespace (local engine; src/backend/docker/anchor_network.cpp).
  const std::optional<int> fd = pod->connect_tcp(LoopbackIpv4{}, 6379);
  ASSERT_NE(fd, std::nullopt) << "a local engine's pod is reachable from inside its network namespace";
  ::close(*fd);
  auto set = pod->exec(cmd({"redis-cli", "-h", "127.0.0.1", "set", "k", "v42"}, kRedis), never_);
  EXPECT_EQ(set.stdout_data, "OK\n");
  // A step with `service = "db"` runs inside the service container.
  auto get = service->exec(cmd({"redis-cli", "get", "k"}), never_);
  EXPECT_EQ(get.stdout_data, "v42\n");
  EXPECT_TRUE(service->running());
  EXPECT_EQ(service->exit_code(), std::nullopt);
  EXPECT_NE(service->logs().find("Ready to accept connections"), std::string::npos) << service->logs();
  service->stop(Duration(2000));
  docker_wait_teardown(*backend_);  // the stop (grace, then removal) runs in the background
  EXPECT_FALSE(connect_client()->container_inspect(service->id()));
}

TEST_F(DockerPodTest, BusyboxNcServiceReachableFromStep) {
  auto pod = backend_->create_pod(pod_spec("nc"));
  ProcessSpec svc;
  svc.name = "echo";
  svc.argv = {"sh", "-c", "while true; do echo hello-from-service | nc -l -p 7070; done"};
  auto service = pod->start_service(svc);
  ASSERT_TRUE(wait_ready(*pod, cmd({"sh", "-c", "nc 127.0.0.1 7070 </dev/null | grep -q hello-from-service"})));
}

TEST_F(DockerPodTest, TwoPodsBindTheSamePort) {
  auto pod_a = backend_->create_pod(pod_spec("port-a", kRedis));
  auto pod_b = backend_->create_pod(pod_spec("port-b", kRedis));
  ProcessSpec svc;
  svc.name = "db";
  svc.image = kRedis;
  svc.argv = {"redis-server", "--port", "6379", "--save", ""};
  auto a = pod_a->start_service(svc);
  auto b = pod_b->start_service(svc);
  ASSERT_TRUE(wait_ready(*pod_a, cmd({"redis-cli", "ping"}, kRedis)));
  ASSERT_TRUE(wait_ready(*pod_b, cmd({"redis-cli", "ping"}, kRedis)));
  pod_a->exec(cmd({"redis-cli", "set", "who", "a"}, kRedis), never_);
  pod_b->exec(cmd({"redis-cli", "set", "who", "b"}, kRedis), never_);
  EXPECT_EQ(pod_a->exec(cmd({"redis-cli", "get", "who"}, kRedis), never_).stdout_data, "a\n");
  EXPECT_EQ(pod_b->exec(cmd({"redis-cli", "get", "who"}, kRedis), never_).stdout_data, "b\n");
  EXPECT_TRUE(a->running());
  EXPECT_TRUE(b->running());
}

TEST_F(DockerPodTest, PodHasOnlyLoopback) {
  auto pod = backend_->create_pod(pod_spec("netns"));
  auto r = pod->exec(cmd({"sh", "-c", "ls /sys/class/net"}), never_);
  EXPECT_EQ(r.stdout_data, "lo\n");
}

TEST_F(DockerPodTest, ExecTimeoutKillsTheStep) {
  auto pod = backend_->create_pod(pod_spec("timeout"));
  ProcessSpec p = cmd({"sh", "-c", "echo started; sleep 123.25 & sleep 123.25"});
  p.timeout = Duration(700);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = pod->exec(p, never_);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, 9);
  EXPECT_EQ(r.stdout_data, "started\n");
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  // Both sleeps (the exec and its background child) are gone from the host.
  EXPECT_TRUE(host_process_gone("sleep", "123.25"));
  // The next step runs normally in the same step container.
  auto next = pod->exec(cmd({"echo", "next"}), never_);
  EXPECT_EQ(next.stdout_data, "next\n");
  EXPECT_EQ(next.exit_code, 0);
}

TEST_F(DockerPodTest, CancelStopsARunningStep) {
  auto pod = backend_->create_pod(pod_spec("cancel"));
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel.cancel();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = pod->exec(cmd({"sleep", "60"}), cancel);
  canceller.join();
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

TEST_F(DockerPodTest, ServiceExecTimeoutKillsOnlyTheExec) {
  auto pod = backend_->create_pod(pod_spec("svc-timeout"));
  ProcessSpec svc;
  svc.name = "s";
  svc.argv = {"sleep", "600"};
  auto service = pod->start_service(svc);
  ProcessSpec p = cmd({"sh", "-c", "sleep 77.5 & sleep 77.5"});
  p.timeout = Duration(500);
  auto r = service->exec(p, never_);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(host_process_gone("sleep", "77.5")) << "the exec's process tree was killed";
  EXPECT_TRUE(service->running());
}

TEST_F(DockerPodTest, MediumLevelIsReadOnlyWithLimitsAndFewCapabilities) {
  PodSpec spec = pod_spec("medium");
  spec.level = SecurityLevel::Medium;
  spec.limits.memory_mb = 128;
  spec.limits.pids = 64;
  auto pod = backend_->create_pod(spec);
  EXPECT_NE(pod->exec(cmd({"touch", "/root-fs-write"}), never_).exit_code, 0);
  EXPECT_EQ(pod->exec(cmd({"touch", "/tmp/ok"}), never_).exit_code, 0);
  // CAP_NET_RAW and CAP_SYS_ADMIN are gone.
  auto caps = pod->exec(cmd({"sh", "-c", "grep CapEff /proc/self/status"}), never_);
  EXPECT_NE(caps.stdout_data.find("CapEff:\t00000000"), std::string::npos) << caps.stdout_data;
  auto list = connect_client()->container_list({"clnrm.session=" + options_.session_id, "clnrm.role=pod"});
  ASSERT_EQ(list.size(), 1u);
  auto inspect = connect_client()->container_inspect(list[0].value("Id", ""));
  ASSERT_TRUE(inspect);
  const auto& hc = (*inspect)["HostConfig"];
  EXPECT_EQ(hc.value("Memory", 0LL), 128LL << 20);
  EXPECT_EQ(hc.value("PidsLimit", 0LL), 64);
  EXPECT_TRUE(hc.value("ReadonlyRootfs", false));
  EXPECT_EQ(hc["CapDrop"][0], "ALL");
}

TEST_F(DockerPodTest, HighLevelHasNoCapabilitiesAndNoNewPrivileges) {
  PodSpec spec = pod_spec("high");
  spec.level = SecurityLevel::High;
  auto pod = backend_->create_pod(spec);
  auto caps = pod->exec(cmd({"sh", "-c", "grep -E 'CapEff|NoNewPrivs' /proc/self/status"}), never_);
  EXPECT_NE(caps.stdout_data.find("CapEff:\t0000000000000000"), std::string::npos) << caps.stdout_data;
  EXPECT_NE(caps.stdout_data.find("NoNewPrivs:\t1"), std::string::npos) << caps.stdout_data;
  // A fork bomb hits the pids limit instead of the machine.
  ProcessSpec bomb = cmd({"sh", "-c", "for i in $(seq 400); do sleep 3 & done; wait; echo done"});
  bomb.timeout = Duration(20'000);
  auto r = pod->exec(bomb, never_);
  EXPECT_NE(r.stderr_data.find("can't fork"), std::string::npos) << r.stderr_data;
  auto list = connect_client()->container_list({"clnrm.session=" + options_.session_id, "clnrm.role=pod"});
  ASSERT_FALSE(list.empty());
  auto inspect = connect_client()->container_inspect(list[0].value("Id", ""));
  EXPECT_EQ((*inspect)["HostConfig"].value("NanoCpus", 0LL), 1'000'000'000LL);
  EXPECT_EQ((*inspect)["HostConfig"]["SecurityOpt"][0], "no-new-privileges");
}

TEST_F(DockerPodTest, LowLevelHostNetworkConnectsFromTheRunner) {
  PodSpec spec = pod_spec("host");
  spec.level = SecurityLevel::Low;
  spec.host_network = true;
  auto pod = backend_->create_pod(spec);
  // Nothing listens on this port on the host loopback: -1 (not nullopt).
  auto fd = pod->connect_tcp(LoopbackIpv4{}, 1);
  ASSERT_TRUE(fd.has_value());
  EXPECT_EQ(*fd, -1);
  auto r = pod->exec(cmd({"true"}), never_);
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(DockerPodTest, MissingImageNamesTheImageAndTheRemedies) {
  auto pod = backend_->create_pod(pod_spec("missing"));
  try {
    pod->exec(cmd({"true"}, "clnrm-test/does-not-exist:1"), never_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(m.find("clnrm-test/does-not-exist:1"), std::string::npos) << m;
    EXPECT_NE(m.find("--image-map"), std::string::npos) << m;
    EXPECT_NE(m.find("make-test-images.sh"), std::string::npos) << m;
  }
}

TEST_F(DockerPodTest, ImageMapRunsUpstreamNames) {
  DockerOptions o = test_options();
  o.session_id = options_.session_id;
  o.image_map = parse_image_map("alpine:latest=clnrm-test/busybox").value();
  auto backend = make_docker_backend(o);
  PodSpec spec = pod_spec("mapped", "alpine:latest");
  auto pod = backend->create_pod(spec);
  auto r = pod->exec(cmd({"echo", "mapped"}, "alpine"), never_);
  EXPECT_EQ(r.stdout_data, "mapped\n");
}

TEST_F(DockerPodTest, StandbyAnchorIsFreshAndNothingIsLeftAtShutdown) {
  DockerOptions o = test_options();
  o.session_id = options_.session_id;
  o.standby = true;
  auto backend = make_docker_backend(o);
  std::string first_anchor;
  {
    auto pod = backend->create_pod(pod_spec("standby"));
    EXPECT_EQ(pod->exec(cmd({"sh", "-c", "echo used > /tmp/used"}), never_).exit_code, 0);
    first_anchor = dynamic_cast<docker::DockerPod&>(*pod).anchor_id();
  }
  auto pod = backend->create_pod(pod_spec("standby"));
  auto r = pod->exec(cmd({"sh", "-c", "cat /tmp/used 2>/dev/null || echo fresh"}), never_);
  EXPECT_EQ(r.stdout_data, "fresh\n") << "a standby is a never-used container";
  const std::string second_anchor = dynamic_cast<docker::DockerPod&>(*pod).anchor_id();
  EXPECT_NE(second_anchor, first_anchor);
  auto inspect = connect_client()->container_inspect(second_anchor);
  ASSERT_TRUE(inspect);
  EXPECT_EQ((*inspect)["Config"]["Labels"].value("clnrm.test", ""), "(standby)");
  // Named like the session's other containers, never an engine-made name.
  const std::string standby_prefix = "/clnrm-" + docker::container_name_part(options_.session_id, 16) + "-standby-";
  EXPECT_EQ(inspect->value("Name", "").rfind(standby_prefix, 0), 0u) << inspect->value("Name", "");
  EXPECT_EQ((*inspect)["HostConfig"].value("NetworkMode", ""), "none");
  pod.reset();
  backend.reset();  // removes the pods and the standby made for a next test
  EXPECT_EQ(count_with_label("clnrm.session", options_.session_id), 0u);
}

TEST_F(DockerPodTest, DestroyRemovesEveryContainerAndIsIdempotent) {
  auto pod = backend_->create_pod(pod_spec("destroy"));
  ProcessSpec svc;
  svc.name = "s";
  svc.argv = {"sleep", "600"};
  auto service = pod->start_service(svc);
  pod->exec(cmd({"true"}), never_);
  EXPECT_EQ(count_with_label("clnrm.session", options_.session_id), 2u) << "pod (also the step container), service";
  auto labels = connect_client()->container_list({"clnrm.session=" + options_.session_id})[0]["Labels"];
  for (const char* key : {"clnrm.session", "clnrm.pid", "clnrm.pid-start", "clnrm.host", "clnrm.test", "clnrm.boot"})
    EXPECT_TRUE(labels.contains(key)) << key;
  pod->destroy();
  pod->destroy();
  docker_wait_teardown(*backend_);
  EXPECT_EQ(count_with_label("clnrm.session", options_.session_id), 0u);
  service->stop(Duration(0));  // after the pod: still fine
}

}  // namespace
}  // namespace clnrm
