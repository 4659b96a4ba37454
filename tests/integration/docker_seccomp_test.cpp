// clnrm's own seccomp filter on the docker backend (security level high):
// stacked on the engine's default profile by clnrm-seccomp-exec in steps
// (step agent and engine execs), service commands and service execs.
//
// The probe is busybox `adjtimex`: it reads the kernel clock state with
// clock_adjtime(CLOCK_REALTIME, {modes=0}), which Docker's default profile
// allows without any capability, and which clnrm's list denies (clock
// setting syscalls, src/policy/isolation_policy.cpp). So it succeeds at
// medium and with the engine profile alone, and fails with EPERM at high.
#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// What a denied probe prints (busybox: "adjtimex: (null): Operation not permitted").
constexpr const char* kDenied = "Operation not permitted";
// `adjtimex` output when the call succeeded.
constexpr const char* kAllowed = "return value";

class DockerSeccomp : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(require_engine()); }
  void TearDown() override {
    backend_.reset();
    for (const auto& session : sessions_) expect_session_removed(session);
  }
  Backend& backend(DockerOptions options = test_options()) {
    options.session_id = unique("seccomp");
    sessions_.push_back(options.session_id);
    backend_ = make_docker_backend(options);
    return *backend_;
  }
  std::unique_ptr<Pod> pod(Backend& b, SecurityLevel level, const std::string& image = kBusybox) {
    PodSpec s = pod_spec("seccomp", image);
    s.level = level;
    return b.create_pod(s);
  }
  static std::optional<EnforcedLimit> seccomp_row(const Pod& p) {
    for (const auto& l : p.enforced_limits())
      if (l.what == "seccomp") return l;
    return std::nullopt;
  }
  static ProcessSpec probe() {
    ProcessSpec p = cmd({"adjtimex"});
    p.timeout = Duration(30'000);
    return p;
  }
  static void expect_denied(const ExecResult& r, const std::string& where) {
    EXPECT_NE(r.exit_code, 0) << where << ": " << r.stdout_data;
    EXPECT_NE(r.stderr_data.find(kDenied), std::string::npos) << where << ": " << r.stderr_data;
    EXPECT_EQ(r.stdout_data.find(kAllowed), std::string::npos) << where << ": " << r.stdout_data;
  }
  static void expect_allowed(const ExecResult& r, const std::string& where) {
    EXPECT_EQ(r.exit_code, 0) << where << ": " << r.stderr_data;
    EXPECT_NE(r.stdout_data.find(kAllowed), std::string::npos) << where << ": " << r.stdout_data;
  }
  // A busybox service that records the probe's result in its log, then stays up.
  static ProcessSpec probing_service() {
    ProcessSpec svc;
    svc.name = "prober";
    svc.argv = {"sh", "-c", "adjtimex >/dev/null 2>&1; echo probe-exit=$?; exec sleep 3600"};
    return svc;
  }
  static std::string service_log_line(ServiceInstance& s) {
    for (int i = 0; i < 100; ++i) {
      const std::string log = s.logs();
      if (const auto at = log.find("probe-exit="); at != std::string::npos)
        return log.substr(at, log.find('\n', at) - at);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "no probe-exit line in the log: " + s.logs();
  }

  std::vector<std::string> sessions_;
  std::unique_ptr<Backend> backend_;
  CancelToken never_;
};

TEST_F(DockerSeccomp, HighDeniesInStepsWhatTheEngineProfileAllows) {
  Backend& b = backend();
  auto high = pod(b, SecurityLevel::High);
  expect_denied(high->exec(probe(), never_), "high, step agent");
  // Children of the step inherit the filter; new user namespaces stay denied.
  const ExecResult nested =
      high->exec(cmd({"sh", "-c", "sh -c adjtimex; unshare -U true"}), never_);
  EXPECT_NE(nested.stderr_data.find("adjtimex: (null): Operation not permitted"), std::string::npos)
      << nested.stderr_data;
  EXPECT_NE(nested.stderr_data.find("unshare("), std::string::npos) << nested.stderr_data;
  // Two filters in the step: the engine's profile and clnrm's on top of it.
  EXPECT_EQ(
      high->exec(cmd({"sh", "-c", "grep Seccomp_filters: /proc/self/status | cut -f2"}), never_)
          .stdout_data,
      "2\n");
  auto row = seccomp_row(*high);
  ASSERT_TRUE(row);
  EXPECT_NE(row->mechanism.find("clnrm's filter stacked on it by /.clnrm/seccomp-exec"),
            std::string::npos)
      << row->mechanism;
  EXPECT_NE(row->value.find("clock_adjtime"), std::string::npos) << row->value;

  auto medium = pod(b, SecurityLevel::Medium);
  expect_allowed(medium->exec(probe(), never_), "medium, step agent");
  EXPECT_EQ(
      medium->exec(cmd({"sh", "-c", "grep Seccomp_filters: /proc/self/status | cut -f2"}), never_)
          .stdout_data,
      "1\n");
  row = seccomp_row(*medium);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->mechanism, "docker default seccomp profile (engine)");
}

TEST_F(DockerSeccomp, HighDeniesInEngineExecSteps) {
  DockerOptions o = test_options();
  o.step_agent = false;  // every step is an engine exec, outside PID 1's process tree
  Backend& b = backend(o);
  expect_denied(pod(b, SecurityLevel::High)->exec(probe(), never_), "high, engine exec");
  expect_allowed(pod(b, SecurityLevel::Medium)->exec(probe(), never_), "medium, engine exec");
}

TEST_F(DockerSeccomp, HighDeniesInServiceCommandsAndServiceExecs) {
  Backend& b = backend();
  auto high = pod(b, SecurityLevel::High);
  auto high_svc = high->start_service(probing_service());
  EXPECT_EQ(service_log_line(*high_svc), "probe-exit=1");
  expect_denied(high_svc->exec(probe(), never_), "high, service exec");

  auto medium = pod(b, SecurityLevel::Medium);
  auto medium_svc = medium->start_service(probing_service());
  EXPECT_EQ(service_log_line(*medium_svc), "probe-exit=0");
  expect_allowed(medium_svc->exec(probe(), never_), "medium, service exec");
}

TEST_F(DockerSeccomp, HighWrapsAServiceThatRunsTheImagesOwnCommand) {
  // No argv: the helper must run the image's Cmd (redis-server ...) itself.
  Backend& b = backend();
  auto p = pod(b, SecurityLevel::High, kRedis);
  ProcessSpec svc;
  svc.name = "db";
  svc.image = kRedis;
  auto service = p->start_service(svc);
  EXPECT_TRUE(wait_ready(*p, cmd({"redis-cli", "ping"}, kRedis))) << service->logs();
  // docker-init (PID 1) started the helper with the image's command behind it.
  const ExecResult cmdline =
      service->exec(cmd({"sh", "-c", "tr '\\0' ' ' </proc/1/cmdline"}), never_);
  EXPECT_NE(cmdline.stdout_data.find("/.clnrm/seccomp-exec --deny="), std::string::npos)
      << cmdline.stdout_data;
  EXPECT_NE(cmdline.stdout_data.find("-- redis-server --port 6379"), std::string::npos)
      << cmdline.stdout_data;
  expect_denied(service->exec(probe(), never_), "high, redis service exec");
}

TEST_F(DockerSeccomp, WithoutTheHelperHighSaysTheEngineProfileIsAllThereIs) {
  DockerOptions o = test_options();
  o.seccomp_exec = "/nonexistent/clnrm-seccomp-exec";
  Backend& b = backend(o);
  auto high = pod(b, SecurityLevel::High);
  auto row = seccomp_row(*high);
  ASSERT_TRUE(row);
  EXPECT_NE(row->mechanism.find("only; clnrm's filter is NOT loaded: the configured seccomp helper "
                                "'/nonexistent/clnrm-seccomp-exec' is not an executable file"),
            std::string::npos)
      << row->mechanism;
  EXPECT_EQ(row->value, "engine profile only (clnrm's deny list not applied)");
  // The engine profile alone allows the probe: the denial above is clnrm's.
  expect_allowed(high->exec(probe(), never_), "high without the helper");
}

}  // namespace
}  // namespace clnrm
