// Steps inside a service container (`service = "..."`) go through a step
// agent (src/backend/docker/service_agent.h; on Docker started with the
// container, beside the service: kept_agent.h), not through an engine exec
// each. Checked from inside (the step's reaper's parent is the agent's sh)
// and through the engine (while a step runs, the container's ExecIDs hold
// no exec at all). Also: what a step
// daemonises does not outlive it, a timed-out step is killed while the
// service and the agent keep running, the service's logs never see the
// agent's markers, and a broken agent hands later steps to engine execs.
#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "backend/docker/docker_client.h"
#include "backend/docker/docker_service.h"
#include "integration/docker_service_fixture.h"

namespace clnrm {
namespace {

using namespace testing_docker;
using Clock = std::chrono::steady_clock;

// Prints the command line of the step's reaper's parent: the agent's sh
// ("sh -c clnrm_nl=... clnrm_sweep ...") through the agent, nothing through
// an engine exec (the reaper's parent is outside the container: ppid 0).
constexpr const char* kParentOfReaper =
    "pp=$(cut -d' ' -f4 /proc/$PPID/stat); tr '\\0' ' ' </proc/$pp/cmdline 2>/dev/null; true";

bool ran_in_agent(const ExecResult& r) { return r.stdout_data.find("clnrm_sweep") != std::string::npos; }

class DockerServiceAgent : public DockerServiceFixture {};

TEST_P(DockerServiceAgent, StepsRunInTheAgentNotByEngineExec) {
  start();
  ASSERT_GT(service().step_agent_reaper_pid(), 0) << "no step agent in the service";
  const std::string agent = service().step_agent_exec_id();
  for (int i = 0; i < 3; ++i) {
    const ExecResult r = step(kParentOfReaper);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_TRUE(ran_in_agent(r)) << "step " << i << " did not run in the agent: '" << r.stdout_data << "'";
  }
  // While a step runs, the engine knows of one exec in the container: the
  // agent's (running execs only; an engine-exec step would add its own).
  std::atomic<bool> done{false};
  std::set<std::string> seen;
  std::thread watch([&] {
    while (!done) {
      for (const auto& id : container_exec_ids(*client_, service_->id())) seen.insert(id);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const ExecResult r = step("sleep 0.6; echo slept");
  done = true;
  watch.join();
  EXPECT_EQ(r.stdout_data, "slept\n") << r.stderr_data;
  // The agent's exec when it is one (an engine without kept agents), else none.
  EXPECT_EQ(seen, agent.empty() ? std::set<std::string>{} : std::set<std::string>{agent});
  // Environment, workdir, stdin and the exit status travel as with an exec.
  ProcessSpec p = cmd({"sh", "-c", "echo \"$GREETING $(pwd) $(cat)\"; exit 3"});
  p.env = {{"GREETING", "hi 'there'"}};
  p.workdir = "/tmp";
  p.stdin_data = "from stdin";
  p.timeout = Duration(30'000);
  const ExecResult e = service_->exec(p, never_);
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(e.stdout_data, "hi 'there' /tmp from stdin\n") << e.stderr_data;
  expect_service_alive();
}

TEST_P(DockerServiceAgent, AServiceWithoutStepsGetsNoAgent) {
  start({"sleep", "3999"}, /*with_steps=*/false);
  EXPECT_EQ(service().step_agent_reaper_pid(), 0);
  EXPECT_TRUE(container_exec_ids(*client_, service_->id()).empty());
  // A step there after all (a readiness probe) runs by engine exec.
  const ExecResult r = step(kParentOfReaper);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_FALSE(ran_in_agent(r)) << r.stdout_data;
}

TEST_P(DockerServiceAgent, WhatAStepDaemonisesDoesNotOutliveIt) {
  start();
  const ExecResult r = step(
      "setsid sh -c 'sleep 3921' >/dev/null 2>&1 & "
      "sh -c 'sh -c \"sleep 3922\" >/dev/null 2>&1 &'; "
      "sh -c 'trap \"\" TERM HUP INT; exec sleep 3923' >/dev/null 2>&1 & echo started");
  EXPECT_EQ(r.stdout_data, "started\n") << r.stderr_data;
  expect_no_process(*client_, service_->id(), "sleep 392");
  expect_service_alive();
  EXPECT_TRUE(ran_in_agent(step(kParentOfReaper)));
}

TEST_P(DockerServiceAgent, AStepThatKillsItsReaperLeavesNothing) {
  start();
  // The orphans go to the agent's own reaper, not the service's PID 1, and
  // are killed after the step.
  const ExecResult r = step("setsid sh -c 'sleep 3931' >/dev/null 2>&1 & kill -9 $PPID; sleep 2");
  EXPECT_EQ(r.exit_code, 137) << r.stderr_data;
  expect_no_process(*client_, service_->id(), "sleep 393");
  expect_service_alive();
  EXPECT_TRUE(ran_in_agent(step(kParentOfReaper)));
}

TEST_P(DockerServiceAgent, ATimedOutStepIsKilledAndTheServiceAndItsAgentKeepRunning) {
  start();
  const long agent = service().step_agent_reaper_pid();
  ASSERT_GT(agent, 0);
  const auto t0 = Clock::now();
  const ExecResult r =
      step("setsid sh -c 'sleep 3941' >/dev/null 2>&1 & trap '' TERM INT HUP; echo begun; sleep 3942", 700);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.stdout_data, "begun\n");
  expect_no_process(*client_, service_->id(), "sleep 394");
  expect_service_alive();
  EXPECT_TRUE(ran_in_agent(step(kParentOfReaper)));
  EXPECT_EQ(service().step_agent_reaper_pid(), agent) << "the agent was replaced";
}

TEST_P(DockerServiceAgent, TheServicesLogsNeverSeeTheAgent) {
  start({"sh", "-c", "echo service-up; exec sleep 3999"});
  EXPECT_EQ(step("echo step-out; echo step-err >&2").stdout_data, "step-out\n");
  EXPECT_TRUE(ran_in_agent(step(kParentOfReaper)));
  const std::string logs = service_->logs();
  EXPECT_NE(logs.find("service-up"), std::string::npos) << logs;
  EXPECT_EQ(logs.find('\x1e'), std::string::npos) << "an agent marker in the service's logs: " << logs;
  EXPECT_EQ(logs.find("step-"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("clnrm_sweep"), std::string::npos) << logs;
  expect_service_alive();
}

TEST_P(DockerServiceAgent, AConcurrentStepGoesByEngineExec) {
  start();
  ExecResult slow;
  std::thread t([&] { slow = step(std::string("sleep 1; ") + kParentOfReaper); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the slow step holds the agent
  const ExecResult quick = step(kParentOfReaper);
  t.join();
  EXPECT_EQ(quick.exit_code, 0) << quick.stderr_data;
  EXPECT_FALSE(ran_in_agent(quick)) << quick.stdout_data;
  EXPECT_TRUE(ran_in_agent(slow)) << slow.stdout_data;
}

TEST_P(DockerServiceAgent, AStepThatKillsTheAgentHandsLaterStepsToEngineExecs) {
  start();
  ASSERT_GT(service().step_agent_reaper_pid(), 0);
  try {
    step("pp=$(cut -d' ' -f4 /proc/$PPID/stat); kill -9 $pp; sleep 5");
  } catch (const Error&) {
    // The agent is gone mid-step: the step errors.
  }
  const ExecResult r = step(std::string("echo ok; ") + kParentOfReaper);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data.substr(0, 3), "ok\n");
  EXPECT_FALSE(ran_in_agent(r)) << r.stdout_data;
  EXPECT_EQ(service().step_agent_reaper_pid(), 0);
  expect_service_alive();
}

INSTANTIATE_TEST_SUITE_P(Levels, DockerServiceAgent, ::testing::Values(SecurityLevel::Medium, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm
