// Nothing a step starts outlives it on the docker backend, whatever it does
// to escape its process group: setsid, a double fork, nohup-style SIGHUP
// ignoring, a trap ignoring SIGTERM, a plain `cmd &`. Checked at step end
// and at a timeout, with the step agent, with engine execs
// (CLNRM_DOCKER_STEP_AGENT=0, DockerOptions::step_agent) and for steps
// inside a service container (which must keep running), by engine exec and
// through the service's step agent (service_agent.h). The check is done
// once, 100 ms after the step returned, through the engine
// (GET /containers/{id}/top of every container of the test), and by the
// next step.
#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "backend/docker/docker_client.h"
#include "integration/docker_processes.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;
using Clock = std::chrono::steady_clock;

// Each escape marks its process with a distinct `sleep` argument. Output is
// redirected so an engine exec is not held open by the escaped processes
// (the test must see them, not hang). busybox has no nohup applet: the
// nohup case is what nohup does, SIGHUP ignored and the output redirected.
constexpr const char* kEscapes =
    "setsid sh -c 'sleep 3901' >/dev/null 2>&1 & "
    "sh -c 'sh -c \"sleep 3902\" >/dev/null 2>&1 &' ; "
    "(trap '' HUP; exec sleep 3903) >/dev/null 2>&1 & "
    "sh -c 'trap \"\" TERM HUP INT; exec sleep 3904' >/dev/null 2>&1 & "
    "sleep 3905 >/dev/null 2>&1 & "
    "echo started";
const std::vector<std::string> kMarkers{"sleep 3901", "sleep 3902", "sleep 3903", "sleep 3904", "sleep 3905"};

enum class Mode { Agent, EngineExec, InService, InServiceAgent };

std::string mode_name(Mode m) {
  switch (m) {
    case Mode::Agent: return "Agent";
    case Mode::EngineExec: return "EngineExec";
    case Mode::InService: return "InService";
    case Mode::InServiceAgent: return "InServiceAgent";
  }
  return "?";
}

class DockerStepCleanup : public DockerSessionTest<std::tuple<Mode, SecurityLevel>> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        open_session("cleanup", [this](DockerOptions& o) { o.step_agent = mode() != Mode::EngineExec; }));
    PodSpec s = pod_spec("cleanup");
    s.level = std::get<1>(GetParam());
    if (mode() == Mode::InServiceAgent) s.services_with_steps = {"svc"};
    pod_ = backend_->create_pod(s);
    if (mode() == Mode::InService || mode() == Mode::InServiceAgent) {
      ProcessSpec svc;
      svc.name = "svc";
      svc.argv = {"sleep", "3999"};
      service_ = pod_->start_service(svc);
    }
  }
  Mode mode() const { return std::get<0>(GetParam()); }
  ExecResult step(const std::string& script, int timeout_ms = 30'000) {
    ProcessSpec p = cmd({"sh", "-c", script});
    p.timeout = Duration(timeout_ms);
    ExecResult r = service_ ? service_->exec(p, never_) : pod_->exec(p, never_);
    returned_ = Clock::now();
    return r;
  }
  // Once, 100 ms after the last step returned: the escapes' processes in
  // any container of the test.
  std::vector<std::string> survivors() {
    std::this_thread::sleep_until(returned_ + std::chrono::milliseconds(100));
    std::vector<std::string> found;
    for (const auto& c : client_->container_list({"clnrm.session=" + options_.session_id})) {
      for (const auto& line : live_processes(*client_, c.value("Id", ""))) {
        for (const auto& marker : kMarkers)
          if (line.find(marker) != std::string::npos) found.push_back(line);
      }
    }
    return found;
  }
  void expect_service_alive() {
    if (service_) testing_docker::expect_service_alive(*client_, *service_, "sleep 3999");
  }

  Clock::time_point returned_;
};

TEST_P(DockerStepCleanup, NothingAStepStartedSurvivesItsEnd) {
  const ExecResult r = step(kEscapes);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "started\n");
  const auto left = survivors();
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
  // The next step sees none of them either.
  const ExecResult next = step("ps -o stat,args | grep -v '^Z' | grep 'sleep 390' | grep -v grep; true");
  EXPECT_EQ(next.stdout_data, "") << next.stdout_data;
  expect_service_alive();
}

TEST_P(DockerStepCleanup, NothingATimedOutStepStartedSurvivesTheTimeout) {
  const ExecResult r = step(std::string(kEscapes) + "; trap '' TERM; sleep 3906", 1'000);
  EXPECT_TRUE(r.timed_out);
  const auto left = survivors();
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
  const ExecResult next = step("ps -o stat,args | grep -v '^Z' | grep 'sleep 390' | grep -v grep; echo next");
  EXPECT_EQ(next.stdout_data, "next\n");
  expect_service_alive();
}

INSTANTIATE_TEST_SUITE_P(Modes, DockerStepCleanup,
                         ::testing::Values(std::tuple{Mode::Agent, SecurityLevel::Medium},
                                           std::tuple{Mode::Agent, SecurityLevel::High},
                                           std::tuple{Mode::EngineExec, SecurityLevel::Low},
                                           std::tuple{Mode::EngineExec, SecurityLevel::High},
                                           std::tuple{Mode::InService, SecurityLevel::Medium},
                                           std::tuple{Mode::InService, SecurityLevel::High},
                                           std::tuple{Mode::InServiceAgent, SecurityLevel::Medium},
                                           std::tuple{Mode::InServiceAgent, SecurityLevel::High}),
                         [](const auto& info) {
                           return mode_name(std::get<0>(info.param)) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

class DockerStepCleanupConcurrent : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(require_engine()); }
};

// A concurrent scenario runs two steps in one container at once (the agent
// runs one, an engine exec the other): the end of the first must not kill
// the second, and when both have ended nothing of either is left.
TEST_F(DockerStepCleanupConcurrent, OneStepsEndDoesNotKillAConcurrentStepAndBothAreCleanedUp) {
  auto client = connect_client();
  DockerOptions options = test_options();
  options.session_id = unique("cleanup-conc");
  {
    auto backend = make_docker_backend(options);
    auto pod = backend->create_pod(pod_spec("cleanup-conc"));
    CancelToken never;
    ProcessSpec quick = cmd({"sh", "-c", "setsid sh -c 'sleep 3911' >/dev/null 2>&1 & sleep 0.2; echo quick"});
    ProcessSpec slow = cmd({"sh", "-c", "setsid sh -c 'sleep 3912' >/dev/null 2>&1 & sleep 1.5; echo slow-alive"});
    quick.timeout = slow.timeout = Duration(30'000);
    ExecResult slow_result;
    std::thread slow_thread([&] { slow_result = pod->exec(slow, never); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // slow holds the agent
    const ExecResult quick_result = pod->exec(quick, never);
    slow_thread.join();
    const auto returned = Clock::now();
    EXPECT_EQ(quick_result.stdout_data, "quick\n") << quick_result.stderr_data;
    EXPECT_EQ(slow_result.exit_code, 0) << slow_result.stderr_data;
    EXPECT_EQ(slow_result.stdout_data, "slow-alive\n") << "the concurrent step was killed";
    std::this_thread::sleep_until(returned + std::chrono::milliseconds(100));
    for (const auto& c : client->container_list({"clnrm.session=" + options.session_id})) {
      for (const auto& line : live_processes(*client, c.value("Id", ""))) {
        EXPECT_EQ(line.find("sleep 391"), std::string::npos) << line;
      }
    }
  }
  EXPECT_EQ(count_with_label("clnrm.session", options.session_id), 0u) << "containers left behind";
}

// Without the agent an engine-exec step runs under clnrm-seccomp-exec
// --reap; a step that SIGKILLs that reaper (its parent) hands its orphans to
// the container's PID 1. The pod then kills everything but PID 1 (no other
// step runs), so they do not survive either.
TEST_F(DockerStepCleanupConcurrent, AStepThatKillsItsReaperLeavesNothingEither) {
  auto client = connect_client();
  DockerOptions options = test_options();
  options.session_id = unique("cleanup-reaper");
  options.step_agent = false;
  {
    auto backend = make_docker_backend(options);
    auto pod = backend->create_pod(pod_spec("cleanup-reaper"));
    CancelToken never;
    ProcessSpec p = cmd({"sh", "-c", "setsid sh -c 'sleep 3921' >/dev/null 2>&1 & kill -9 $PPID; sleep 1"});
    p.timeout = Duration(30'000);
    const ExecResult r = pod->exec(p, never);
    const auto returned = Clock::now();
    EXPECT_EQ(r.exit_code, 137) << r.stderr_data;
    std::this_thread::sleep_until(returned + std::chrono::milliseconds(100));
    for (const auto& c : client->container_list({"clnrm.session=" + options.session_id})) {
      for (const auto& line : live_processes(*client, c.value("Id", ""))) {
        EXPECT_EQ(line.find("sleep 392"), std::string::npos) << line;
      }
    }
    // The container still works for the next step.
    EXPECT_EQ(pod->exec(cmd({"echo", "ok"}), never).stdout_data, "ok\n");
  }
  EXPECT_EQ(count_with_label("clnrm.session", options.session_id), 0u) << "containers left behind";
}

// enforced_limits() names the mechanism.
TEST_F(DockerStepCleanupConcurrent, EnforcedNamesTheStepProcessMechanism) {
  DockerOptions options = test_options();
  options.session_id = unique("cleanup-enf");
  auto backend = make_docker_backend(options);
  auto pod = backend->create_pod(pod_spec("cleanup-enf"));
  bool found = false;
  for (const auto& l : pod->enforced_limits()) {
    if (l.what != "step processes") continue;
    found = true;
    EXPECT_EQ(l.value, "killed at step end");
    EXPECT_NE(l.mechanism.find("kill -9 -1"), std::string::npos) << l.mechanism;
    EXPECT_NE(l.mechanism.find("--reap"), std::string::npos) << l.mechanism;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace clnrm
