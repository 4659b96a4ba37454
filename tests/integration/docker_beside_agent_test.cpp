// A service's step agent started by the service container's own command,
// beside the service (`clnrm-seccomp-exec --serve-beside=3`,
// src/backend/docker/kept_agent.h): a fresh service's first step reaches it
// with no engine exec at all; the server is a child of the container's
// init, not of the service (a shell's `wait` does not wait for it, the
// service still gets SIGTERM on stop, its exit status and logs are its
// own); at high the service and the agent run under clnrm's filter; and two
// such servers (one a copy the service started) make the runner take
// neither.
#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <thread>

#include "backend/docker/backend_state.h"
#include "backend/docker/kept_agent.h"
#include "base/proc_stat.h"
#include "integration/docker_service_fixture.h"
#include "support/proc_file.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// Prints the command line of the step's reaper's parent's parent: the
// server that runs the agent's sh.
constexpr const char* kAgentServer =
    "sh_pid=$(cut -d' ' -f4 /proc/$PPID/stat); server=$(cut -d' ' -f4 /proc/$sh_pid/stat); "
    "tr '\\0' ' ' </proc/$server/cmdline";

std::string proc_file(long pid, const char* name) {
  return testing::read_file_or_empty("/proc/" + std::to_string(pid) + "/" + name);
}

long parent_of(long pid) { return read_proc_stat(pid).value_or(ProcStat{}).parent; }

// The number of seccomp filters of host process `pid`.
int seccomp_filters(long pid) {
  std::istringstream status(proc_file(pid, "status"));
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Seccomp_filters:", 0) == 0) return std::stoi(line.substr(16));
  return -1;
}

class DockerServiceAgentBeside : public DockerServiceFixture {
 protected:
  docker::DockerService& start(std::vector<std::string> argv) {
    DockerServiceFixture::start(std::move(argv));
    return service();
  }
  long init_pid() { return (*client_->container_inspect(service_->id()))["State"].value("Pid", 0L); }
  // Waits (~10 s) until the service has ended; its exit code then.
  std::optional<int> ended() {
    for (int i = 0; i < 1000; ++i) {
      if (auto code = service_->exit_code()) return code;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }
};

TEST_P(DockerServiceAgentBeside, AFreshServicesFirstStepReachesTheAgentWithNoEngineExec) {
  docker::DockerService& svc = start({"sh", "-c", "echo service-up; exec sleep 3999"});
  const ExecResult r = step(kAgentServer);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("--serve-beside=3 -- sh -c"), std::string::npos) << r.stdout_data;
  EXPECT_TRUE(container_exec_ids(*client_, svc.id()).empty()) << "an engine exec ran in the service";
  EXPECT_TRUE(svc.step_agent_kept());
  EXPECT_EQ(svc.step_agent_exec_id(), "");
  // A child of the container's init, beside the service.
  EXPECT_EQ(parent_of(svc.step_agent_reaper_pid()), init_pid());
  EXPECT_EQ(step("echo again").stdout_data, "again\n");
  EXPECT_TRUE(container_exec_ids(*client_, svc.id()).empty());
  // The agent's output and the steps' never reach the service's logs.
  const std::string logs = service_->logs();
  EXPECT_EQ(logs, "service-up\n");
}

TEST_P(DockerServiceAgentBeside, TheServiceStillGetsSigtermOnStopAndItsExitCodeIsReported) {
  docker::DockerService& svc =
      start({"sh", "-c", "trap 'echo got-term; exit 7' TERM; echo up; while :; do sleep 0.05; done"});
  EXPECT_EQ(step("echo in-agent").stdout_data, "in-agent\n");
  ASSERT_TRUE(svc.step_agent_kept());
  client_->container_stop(svc.id(), 10);
  EXPECT_EQ(ended(), 7);
  EXPECT_EQ(service_->logs(), "up\ngot-term\n");
}

TEST_P(DockerServiceAgentBeside, AServiceThatExitsEndsTheContainerWithItsStatus) {
  docker::DockerService& svc = start({"sh", "-c", "sleep 1; exit 3"});
  EXPECT_EQ(step("echo in-agent").stdout_data, "in-agent\n");
  ASSERT_TRUE(svc.step_agent_kept());
  EXPECT_EQ(ended(), 3) << "the agent's server kept the container running";
}

TEST_P(DockerServiceAgentBeside, AShellServiceThatWaitsIsNotKeptWaitingByTheAgent) {
  docker::DockerService& svc = start({"sh", "-c", "sleep 0.3 & wait; echo done"});
  ASSERT_TRUE(svc.step_agent_kept());
  EXPECT_EQ(ended(), 0) << "the service's `wait` waited for the agent's server";
  EXPECT_EQ(service_->logs(), "done\n");
}

TEST_P(DockerServiceAgentBeside, TheServiceAndTheAgentRunUnderTheLevelsFilter) {
  docker::DockerService& svc = start({"sleep", "3999"});
  EXPECT_EQ(step("echo ok").stdout_data, "ok\n");
  const long init = init_pid();
  const long server = svc.step_agent_reaper_pid();
  ASSERT_GT(server, 0);
  ASSERT_EQ(parent_of(server), init) << "not the server started with the container";
  long service = 0;
  for (const long child : docker::host_child_processes(init))
    if (child != server) service = child;
  const std::vector<long> agent = docker::host_child_processes(server);
  ASSERT_GT(service, 0);
  ASSERT_EQ(agent.size(), 1u);
  // docker-init runs under the engine's profile only; clnrm's filter is
  // stacked on it at high, nothing below.
  const int engine = seccomp_filters(init);
  ASSERT_GE(engine, 0) << "no Seccomp_filters in /proc/PID/status";
  const int added = GetParam() == SecurityLevel::High ? 1 : 0;
  EXPECT_EQ(seccomp_filters(service), engine + added);
  EXPECT_EQ(seccomp_filters(server), engine + added);
  EXPECT_EQ(seccomp_filters(agent.front()), engine + added);
}

TEST_P(DockerServiceAgentBeside, TwoServersBesideTheServiceAreBothRefused) {
  // The service runs the container's command once more, as an orphan (so a
  // child of init too): the helper then forks a second server just like
  // the first. The copy's PROGRAM sees COPY and only sleeps.
  docker::DockerService& svc = start(
      {"sh", "-c",
       "[ -n \"$COPY\" ] && exec sleep 3998; "
       "(COPY=1 setsid xargs -0 sh -c 'shift 2; exec \"$@\"' x </proc/1/cmdline &); "
       "exec sleep 3999"});
  // Servers: children of init running the container's command in a session
  // of their own (the copy's PROGRAM, the second sleep, shows it started).
  // The command is the container's Path and Args (what init runs after
  // "docker-init --", and what the runner compares), not init's
  // /proc/PID/cmdline: the engine's start returns once runc has let its
  // init go, and that init may still be inside its execve of docker-init
  // (comm already "docker-init", cmdline still empty).
  const auto inspect = client_->container_inspect(svc.id());
  ASSERT_TRUE(inspect);
  std::string command = (*inspect)["Path"].get<std::string>() + '\0';
  for (const auto& a : (*inspect)["Args"]) command += a.get<std::string>() + '\0';
  int servers = 0;
  for (int i = 0; i < 2000 && servers < 2; ++i) {  // up to ~20 s: once took over 5 s at load ~4
    servers = 0;
    for (const long child : docker::host_child_processes(init_pid())) {
      const long session = read_proc_stat(child).value_or(ProcStat{}).session;
      servers += proc_file(child, "cmdline") == command && session == child;
    }
    if (servers < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (servers != 2) {
    std::string seen;
    for (const auto& line : live_processes(*client_, service_->id())) seen += line.substr(0, 120) + "\n";
    FAIL() << servers << " servers; the copy did not start; the container runs:\n" << seen;
  }
  testing_docker::expect_service_alive(*client_, *service_, "sleep 3998");
  std::vector<std::string> prefix{(*inspect)["Path"].get<std::string>()};
  for (const auto& a : (*inspect)["Args"]) {
    prefix.push_back(a == "--serve-beside=3" ? "--reap" : a.get<std::string>());
    if (a == "--") break;
  }
  EXPECT_FALSE(docker::connect_kept_agent(*client_, svc.id(), prefix, nullptr, std::chrono::milliseconds(200)));
  // Steps still run (by this run's agent, or the first server's when the
  // runner took it before the copy was there).
  EXPECT_EQ(step("echo ok").stdout_data, "ok\n");
}

// A service where the agent's sh cannot run (here: no sh on its PATH; an
// image without sh alike): its server ends at once, and the runner sees so
// (the service's program runs, nothing has the container's command line)
// instead of waiting out its watch; steps go by engine exec.
TEST_P(DockerServiceAgentBeside, WithoutShStepsGoByEngineExecWithNoWait) {
  PodSpec s = pod_spec("beside-agent");
  s.level = GetParam();
  s.services_with_steps = {"svc"};
  pod_ = backend_->create_pod(s);
  ProcessSpec svc;
  svc.name = "svc";
  svc.argv = {"/bin/sleep", "3999"};
  svc.env = {{"PATH", "/nonexistent"}};
  service_ = pod_->start_service(svc);
  const auto t0 = std::chrono::steady_clock::now();
  ProcessSpec p = cmd({"/bin/echo", "by-exec"});
  p.timeout = Duration(30'000);
  const ExecResult r = service_->exec(p, never_);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
  EXPECT_EQ(r.stdout_data, "by-exec\n") << r.stderr_data;
  EXPECT_EQ(service().step_agent_reaper_pid(), 0);
}

INSTANTIATE_TEST_SUITE_P(Levels, DockerServiceAgentBeside,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm
