// The same client and backend against Podman's Docker-compatible API
// (`podman system service`, started by scripts/start-podman.sh).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <filesystem>
#include <csignal>
#include <cstdio>
#include <thread>

#include <unistd.h>

#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// A Podman API service of this test process's own, on a private socket,
// stopped when the process exits. A long-lived shared service was seen to go
// bad after a full suite ("cannot attach (409) ... write child: broken pipe")
// and to heal on restart; a private one keeps this test independent of that.
class PrivatePodman {
 public:
  PrivatePodman() : dir_("/run/clnrm-podman-test-" + std::to_string(::getpid())) {
    const std::string command = "CLNRM_PODMAN_SOCKET=" + dir_ + "/podman.sock CLNRM_PODMAN_LOG=" + dir_ +
                                ".log " + std::string(CLNRM_SOURCE_DIR) + "/scripts/start-podman.sh 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output_.append(buf, n);
    if (::pclose(p) == 0) {
      // The socket path is the last line of the output.
      std::string s = output_;
      while (!s.empty() && s.back() == '\n') s.pop_back();
      host_ = "unix://" + s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
    }
  }
  ~PrivatePodman() {
    std::ifstream pidfile(dir_ + "/podman.pid");
    long pid = 0;
    if (pidfile >> pid && pid > 1) {
      ::kill(static_cast<pid_t>(pid), SIGTERM);
      for (int i = 0; i < 50 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + ".log");
  }
  const std::string& host() const { return host_; }
  const std::string& output() const { return output_; }

 private:
  std::string dir_;
  std::string host_;
  std::string output_;
};

// Starts this process's Podman service once; returns its unix:// address or "".
std::string podman_host(std::string* log) {
  static PrivatePodman podman;
  *log = podman.output();
  return podman.host();
}

class PodmanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string log;
    host_ = podman_host(&log);
    ASSERT_FALSE(host_.empty()) << "scripts/start-podman.sh failed:\n" << log;
    options_ = test_options();
    options_.host = host_;
    options_.session_id = unique("podman");
    backend_ = make_docker_backend(options_);
  }
  void TearDown() override {
    backend_.reset();
    if (host_.empty()) return;
    docker::DockerClient c(docker::make_curl_transport(docker::parse_docker_host(host_).value()));
    c.connect();
    auto left = c.container_list({"clnrm.session=" + options_.session_id});
    EXPECT_EQ(left.size(), 0u) << "containers left behind in podman";
    for (const auto& x : left) c.container_remove(x.value("Id", ""), true);
  }
  std::string host_;
  DockerOptions options_;
  std::unique_ptr<Backend> backend_;
  CancelToken never_;
};

TEST_F(PodmanTest, NegotiatesAndIsRecognisedAsPodman) {
  docker::DockerClient c(docker::make_curl_transport(docker::parse_docker_host(host_).value()));
  const auto& info = c.connect();
  EXPECT_TRUE(info.podman);
  EXPECT_GE(info.api, docker::kClientMinApi);
  EXPECT_LE(info.api, info.server_max);
}

TEST_F(PodmanTest, StepsServicesAndTimeoutsWork) {
  auto pod = backend_->create_pod(pod_spec("podman-pod", kRedis));
  auto r = pod->exec(cmd({"sh", "-c", "echo out; echo err >&2; exit 4"}), never_);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.stdout_data, "out\n");
  EXPECT_EQ(r.stderr_data, "err\n");

  ProcessSpec svc;
  svc.name = "db";
  svc.image = kRedis;
  svc.argv = {"redis-server", "--port", "6379", "--save", ""};
  auto service = pod->start_service(svc);
  EXPECT_TRUE(wait_ready(*pod, cmd({"redis-cli", "ping"}, kRedis))) << service->logs();
  EXPECT_EQ(pod->exec(cmd({"sh", "-c", "ls /sys/class/net"}), never_).stdout_data, "lo\n");

  ProcessSpec slow = cmd({"sleep", "60"});
  slow.timeout = Duration(500);
  const auto t0 = std::chrono::steady_clock::now();
  auto t = pod->exec(slow, never_);
  EXPECT_TRUE(t.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  pod->destroy();
}

// clnrm-seccomp-exec works the same under Podman's API: at high, a
// clock_adjtime read (allowed by the engine's default profile) is denied in
// steps and in service execs; medium keeps it.
TEST_F(PodmanTest, HighStacksClnrmsSeccompFilterOnTheEngineProfile) {
  PodSpec high_spec = pod_spec("podman-seccomp");
  high_spec.level = SecurityLevel::High;
  auto high = backend_->create_pod(high_spec);
  const ExecResult denied = high->exec(cmd({"adjtimex"}), never_);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.stderr_data.find("Operation not permitted"), std::string::npos) << denied.stderr_data;
  ProcessSpec svc;
  svc.name = "sleeper";
  svc.argv = {"sleep", "3600"};
  auto service = high->start_service(svc);
  const ExecResult in_service = service->exec(cmd({"adjtimex"}), never_);
  EXPECT_NE(in_service.stderr_data.find("Operation not permitted"), std::string::npos) << in_service.stderr_data;

  PodSpec medium_spec = pod_spec("podman-seccomp-medium");
  medium_spec.level = SecurityLevel::Medium;
  const ExecResult allowed = backend_->create_pod(medium_spec)->exec(cmd({"adjtimex"}), never_);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.stderr_data;
}

}  // namespace
}  // namespace clnrm
