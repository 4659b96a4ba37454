// The kept step agent of a warm (reuse) service container
// (src/backend/docker/kept_agent.h): the container's command starts it
// beside the service, a later pod that adopts the container reaches that
// same process with no engine exec (the container's ExecIDs stay empty), a
// killed agent is replaced (by a detached engine exec), a step left running
// by an earlier user is killed on adoption, and no step can reach the
// agent's control socket.
#include <clnrm/policy.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "backend/docker/docker_service.h"
#include "backend/docker/kept_agent.h"
#include "integration/docker_processes.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// The command line of the process that started the agent's sh: the kept
// agent's server (clnrm-seccomp-exec --serve-beside=3 or --reap --serve) or,
// for a per-run agent, clnrm-seccomp-exec --reap; then its pid (in the
// container).
constexpr const char* kAgentServer =
    "sh_pid=$(cut -d' ' -f4 /proc/$PPID/stat); server=$(cut -d' ' -f4 /proc/$sh_pid/stat); "
    "tr '\\0' ' ' </proc/$server/cmdline; echo; echo $server";

std::set<std::string> exec_ids(docker::DockerClient& client, const std::string& container) {
  const std::vector<std::string> ids = container_exec_ids(client, container);
  return {ids.begin(), ids.end()};
}

class DockerKeptAgent : public DockerSessionTest<SecurityLevel> {
 protected:
  void SetUp() override { open_warm_session("kept-agent"); }
  // A pod whose warm busybox service runs the test's steps.
  docker::DockerService& adopt() {
    service_.reset();
    pod_.reset();
    PodSpec s = pod_spec("kept-agent");
    s.test_name = test_name_;
    s.level = GetParam();
    s.services_with_steps = {"svc"};
    pod_ = backend_->create_pod(s);
    ProcessSpec svc;
    svc.name = "svc";
    svc.image = kBusybox;
    svc.argv = {"sleep", "3999"};
    svc.reuse = true;
    svc.env = {{"CLNRM_TEST_UNIT", test_name_}};  // keeps parallel test processes' units apart
    service_ = pod_->start_service(svc);
    return dynamic_cast<docker::DockerService&>(*service_);
  }
  ExecResult step(const std::string& script, int timeout_ms = 30'000) {
    ProcessSpec p = cmd({"sh", "-c", script});
    p.timeout = Duration(timeout_ms);
    return service_->exec(p, never_);
  }
  // The runner's exec prefix (clnrm-seccomp-exec [filter] --reap --), read
  // back from the container's command (clnrm-seccomp-exec [filter]
  // --serve-beside=3 -- ...).
  std::vector<std::string> exec_prefix(const std::string& container) {
    const auto inspect = client_->container_inspect(container);
    std::vector<std::string> prefix{(*inspect)["Path"].get<std::string>()};
    for (const auto& a : (*inspect)["Args"]) {
      prefix.push_back(a == "--serve-beside=3" ? "--reap" : a.get<std::string>());
      if (a == "--") break;
    }
    return prefix;
  }
};

TEST_P(DockerKeptAgent, TheNextPodReachesTheSameAgentWithNoEngineExec) {
  long kept = 0;
  std::string container;
  std::string server;
  {
    docker::DockerService& first = adopt();
    EXPECT_FALSE(first.adopted());
    ASSERT_TRUE(first.step_agent_kept()) << "a warm container's agent is a kept one";
    EXPECT_EQ(first.step_agent_exec_id(), "") << "started with the container, not by an exec";
    kept = first.step_agent_reaper_pid();
    container = first.id();
    const ExecResult r = step(kAgentServer);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_NE(r.stdout_data.find("--serve-beside=3 --"), std::string::npos) << r.stdout_data;
    server = r.stdout_data.substr(r.stdout_data.find('\n') + 1);
  }
  EXPECT_EQ(exec_ids(*client_, container), std::set<std::string>{});
  docker::DockerService& second = adopt();
  ASSERT_TRUE(second.adopted());
  ASSERT_EQ(second.id(), container);
  EXPECT_TRUE(second.step_agent_kept());
  EXPECT_EQ(second.step_agent_reaper_pid(), kept);
  // The first step, and every later one, through the same server process:
  // the engine lists no exec but the agent's.
  for (int i = 0; i < 3; ++i) {
    const ExecResult r = step(kAgentServer);
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_EQ(r.stdout_data.substr(r.stdout_data.find('\n') + 1), server) << r.stdout_data;
  }
  EXPECT_EQ(exec_ids(*client_, container), std::set<std::string>{});
  // A step's output, status, environment and stdin travel as through an exec.
  ProcessSpec p = cmd({"sh", "-c", "echo \"$GREETING $(pwd) $(cat)\"; echo err >&2; exit 3"});
  p.env = {{"GREETING", "hi 'there'"}};
  p.workdir = "/tmp";
  p.stdin_data = "from stdin";
  p.timeout = Duration(30'000);
  const ExecResult e = service_->exec(p, never_);
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(e.stdout_data, "hi 'there' /tmp from stdin\n");
  EXPECT_EQ(e.stderr_data, "err\n");
}

TEST_P(DockerKeptAgent, AKilledAgentIsReplacedAndStepsStillRun) {
  long kept = 0;
  {
    docker::DockerService& first = adopt();
    ASSERT_TRUE(first.step_agent_kept());
    kept = first.step_agent_reaper_pid();
    EXPECT_EQ(step("echo one").stdout_data, "one\n");
  }
  ASSERT_GT(kept, 0);
  ASSERT_EQ(::kill(static_cast<pid_t>(kept), SIGKILL), 0);
  for (int i = 0; i < 200 && ::kill(static_cast<pid_t>(kept), 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  docker::DockerService& second = adopt();
  ASSERT_TRUE(second.adopted());
  EXPECT_EQ(step("echo two").stdout_data, "two\n");
  EXPECT_TRUE(second.step_agent_kept()) << "the warm container gets a new kept agent";
  EXPECT_NE(second.step_agent_reaper_pid(), kept);
  EXPECT_NE(second.step_agent_exec_id(), "") << "a detached engine exec replaces it";
  expect_service_alive(*client_, *service_, "sleep 3999");
}

TEST_P(DockerKeptAgent, AStepARunnerLeftRunningIsKilledOnAdoption) {
  long kept = 0;
  std::string container;
  {
    docker::DockerService& first = adopt();
    ASSERT_TRUE(first.step_agent_kept());
    kept = first.step_agent_reaper_pid();
    container = first.id();
  }
  // What a runner killed during a step leaves: the step still running in
  // the agent (and an orphan of it), nobody connected. Sent as a runner
  // sends a step, then the connection closed.
  {
    auto connection = docker::connect_kept_agent(*client_, container, exec_prefix(container));
    ASSERT_TRUE(connection);
    connection->stream->write_all("n1 setsid sh -c 'sleep 3961' & sleep 3962\n");
  }
  bool running = false;
  for (int i = 0; i < 300 && !running; ++i) {
    for (const auto& line : live_processes(*client_, container)) running |= line.find("sleep 3962") != std::string::npos;
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(running);
  docker::DockerService& second = adopt();
  ASSERT_TRUE(second.adopted());
  const ExecResult r = step("ps -o args | grep 'sleep 396' | grep -v grep; echo checked", 10'000);
  EXPECT_EQ(r.stdout_data, "checked\n") << r.stderr_data;
  EXPECT_EQ(second.step_agent_reaper_pid(), kept);
  expect_no_process(*client_, container, "sleep 396");
  expect_service_alive(*client_, *service_, "sleep 3999");
}

TEST_P(DockerKeptAgent, NoStepCanReachTheAgentsControlSocket) {
  adopt();
  // The server is not dumpable: its descriptors (the control socket is fd
  // 3) cannot be read, opened or taken by the container's root, which holds
  // no CAP_SYS_PTRACE.
  // The server is the parent of the agent's sh, which is the parent of
  // this step's reaper.
  const ExecResult r = step(
      "sh_pid=$(cut -d' ' -f4 /proc/$PPID/stat); server=$(cut -d' ' -f4 /proc/$sh_pid/stat); "
      "tr '\\0' ' ' </proc/$server/cmdline | grep -q -e '--serve-beside=3 --' && echo found; "
      "readlink /proc/$server/fd/3 || echo denied; cat /proc/$server/fd/3 </dev/null 2>/dev/null && echo opened; true");
  EXPECT_EQ(r.stdout_data, "found\ndenied\n") << r.stderr_data;
}

// Every level: the server runs under the level's filter (high), and no
// level's capabilities let a step take its socket.
INSTANTIATE_TEST_SUITE_P(Levels, DockerKeptAgent,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm
