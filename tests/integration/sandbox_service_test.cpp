// Services in a sandbox pod: reachable from the pod's steps over 127.0.0.1,
// invisible to other pods, killed with the pod.
#include "integration/sandbox_test_support.h"

#include <clnrm/error.h>

#include <unistd.h>

#include <chrono>
#include <thread>

namespace clnrm::testing {
namespace {

constexpr std::uint16_t kPort = 18089;

std::unique_ptr<ServiceInstance> start_http(Pod& pod, const std::string& marker = "") {
  ProcessSpec spec = command({"/usr/bin/python3", "-m", "http.server", std::to_string(kPort), "--bind", "127.0.0.1"},
                             "web");
  if (!marker.empty()) spec.env = {{"MARKER", marker}};
  return pod.start_service(spec);
}

// Waits (bounded) until the service accepts connections, using connect_tcp.
bool wait_ready(Pod& pod, std::uint16_t port) {
  for (int i = 0; i < 200; ++i) {
    auto fd = pod.connect_tcp(LoopbackIpv4{}, port);
    if (fd && *fd >= 0) {
      close(*fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

const char* kFetch =
    "import sys,urllib.request;"
    "print(urllib.request.urlopen('http://127.0.0.1:%s/', timeout=3).status)";

TEST(SandboxService, ReachableFromAStepOfTheSamePodOnly) {
  auto a = make_test_pod("svc-a");
  auto b = make_test_pod("svc-b");
  auto web = start_http(*a);
  ASSERT_TRUE(wait_ready(*a, kPort)) << web->logs();
  EXPECT_TRUE(web->running());
  const std::string fetch = std::string(kFetch).replace(std::string(kFetch).find("%s"), 2, std::to_string(kPort));
  const ExecResult same = run(*a, command({"/usr/bin/python3", "-c", fetch}));
  EXPECT_EQ(same.exit_code, 0) << same.stderr_data;
  EXPECT_EQ(same.stdout_data, "200\n");
  const ExecResult other = run(*b, command({"/usr/bin/python3", "-c", fetch}));
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.stderr_data.find("Connection refused"), std::string::npos) << other.stderr_data;
  // Not from the host either.
  EXPECT_EQ(b->connect_tcp(LoopbackIpv4{}, kPort), std::optional<int>(-1));
  EXPECT_NE(web->logs().find("GET / HTTP"), std::string::npos) << web->logs();
}

TEST(SandboxService, TwoPodsBindTheSamePortAtOnce) {
  auto a = make_test_pod("port-a");
  auto b = make_test_pod("port-b");
  auto web_a = start_http(*a);
  auto web_b = start_http(*b);
  ASSERT_TRUE(wait_ready(*a, kPort)) << web_a->logs();
  ASSERT_TRUE(wait_ready(*b, kPort)) << web_b->logs();
  EXPECT_TRUE(web_a->running());
  EXPECT_TRUE(web_b->running());
}

TEST(SandboxService, RedisServiceAndExecInsideIt) {
  auto pod = make_test_pod("redis");
  auto redis = pod->start_service(command({"redis-server", "--port", "16379", "--save", "", "--appendonly", "no"}, "db"));
  ASSERT_TRUE(wait_ready(*pod, 16379)) << redis->logs();
  const ExecResult ping = run(*pod, command({"redis-cli", "-p", "16379", "ping"}));
  EXPECT_EQ(ping.stdout_data, "PONG\n");
  CancelToken cancel;
  const ExecResult inside = redis->exec(shell("ps -e -o comm= | sort"), cancel);
  EXPECT_EQ(inside.exit_code, 0) << inside.stderr_data;
  EXPECT_NE(inside.stdout_data.find("redis-server"), std::string::npos) << inside.stdout_data;
  redis->stop(std::chrono::milliseconds(3000));
  EXPECT_FALSE(redis->running());
  EXPECT_EQ(redis->exit_code(), std::optional<int>(0));  // redis exits cleanly on SIGTERM
  EXPECT_THROW(redis->exec(command({"true"}), cancel), Error);
}

TEST(SandboxService, ExitCodeOfAServiceThatEnds) {
  auto pod = make_test_pod("svc-exit");
  auto svc = pod->start_service(shell("echo starting; echo oops >&2; exit 4", "short"));
  for (int i = 0; i < 400 && svc->running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(svc->running());
  EXPECT_EQ(svc->exit_code(), std::optional<int>(4));
  EXPECT_EQ(svc->logs(), "starting\noops\n");
  EXPECT_EQ(svc->logs(5), "oops\n");
}

TEST(SandboxService, DestroyingThePodKillsItsServices) {
  const std::string marker = unique_marker("svc-destroy");
  auto pod = make_test_pod("svc-destroy");
  auto web = start_http(*pod, marker);
  ASSERT_TRUE(wait_ready(*pod, kPort));
  EXPECT_FALSE(host_processes_with(marker).empty());
  pod->destroy();
  for (int i = 0; i < 400 && web->running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(web->running());
  EXPECT_TRUE(host_processes_with(marker).empty());
}

TEST(SandboxService, ConnectTcpReturnsMinusOneWhenNothingListens) {
  auto pod = make_test_pod("connect");
  EXPECT_EQ(pod->connect_tcp(LoopbackIpv4{}, 1), std::optional<int>(-1));
}

}  // namespace
}  // namespace clnrm::testing
