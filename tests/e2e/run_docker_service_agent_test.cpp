// Steps inside a service, as the CLI runs them on the docker backend: they
// go through the service's step agent (src/backend/docker/service_agent.h),
// what a step daemonises does not outlive it, the service's logs never see
// the agent, and a timed-out step is killed through the agent.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::string unique(const std::string& base) { return base + "_" + std::to_string(::getpid()); }

// A step that prints its reaper's parent: the agent's sh through the agent;
// nothing through an engine exec (the reaper's parent is outside the
// container).
std::string probe_step(const std::string& name) {
  return "\n[[steps]]\nname = \"" + name + "\"\n" + R"toml(service = "box"
command = ["sh", "-c", '''pp=$(cut -d' ' -f4 /proc/$PPID/stat); tr '\0' ' ' </proc/$pp/cmdline''']
)toml";
}

std::string test_file(const std::string& name, const std::string& steps) {
  return "[test.metadata]\nname = \"" + name + "\"\n" + R"toml(
[services.box]
plugin = "generic_container"
image = "clnrm-test/busybox"
args = ["sh", "-c", "echo service-up; exec sleep 2147483647"]
)toml" + steps;
}

TEST(RunDockerServiceAgent, StepsInAServiceRunInItsAgentAndLeaveNothing) {
  TempDir dir;
  const std::string file = dir.file("agent.clnrm.toml");
  std::ofstream(file) << test_file(unique("svc_agent"), probe_step("probe") + R"toml(
[[steps]]
name = "daemon"
service = "box"
command = ["sh", "-c", "setsid sh -c 'sleep 3971' >/dev/null 2>&1 & echo started"]

[[steps]]
name = "after"
service = "box"
command = ["sh", "-c", "ps -o stat,args | grep -v '^Z' | grep 'sleep 397' | grep -v grep; echo checked"]
)toml" + probe_step("probe_again"));
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--keep-logs", dir.file("logs"),
                               "--json", dir.file("r.json"), file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  for (const int i : {0, 3}) {
    EXPECT_NE(t["steps"][i]["stdout"].get<std::string>().find("clnrm_sweep"), std::string::npos)
        << "step " << i << " did not run in the service's step agent: " << t["steps"][i].dump(2);
  }
  EXPECT_EQ(t["steps"][2]["stdout"], "checked\n") << "a daemonised child outlived its step: " << t["steps"][2].dump(2);
  std::string logs;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.file("logs")))
    if (e.is_regular_file()) logs += read_file(e.path().string());
  EXPECT_NE(logs.find("service-up"), std::string::npos) << logs;
  EXPECT_EQ(logs.find('\x1e'), std::string::npos) << "an agent marker in the service's log: " << logs;
  EXPECT_EQ(logs.find("started"), std::string::npos) << logs;
}

TEST(RunDockerServiceAgent, ATimedOutStepInAServiceIsKilledThroughTheAgent) {
  TempDir dir;
  const std::string file = dir.file("timeout.clnrm.toml");
  // The step says where it runs, then outlives its timeout (ignoring
  // SIGTERM); the steps after a timed-out one do not run, so what is left
  // afterwards is checked by DockerServiceAgent.ATimedOutStepIsKilled...
  std::ofstream(file) << test_file(unique("svc_agent_timeout"), R"toml(
[[steps]]
name = "slow"
service = "box"
timeout = "700ms"
command = ["sh", "-c", '''pp=$(cut -d' ' -f4 /proc/$PPID/stat); tr '\0' ' ' </proc/$pp/cmdline; echo; trap '' TERM INT HUP; sleep 3981''']
)toml");
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--json", dir.file("r.json"), file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json step = json::parse(read_file(dir.file("r.json")))["tests"][0]["steps"][0];
  EXPECT_TRUE(step["timed_out"].get<bool>()) << step.dump(2);
  EXPECT_LT(step["duration_ms"].get<double>(), 5000) << step.dump(2);
  EXPECT_NE(step["stdout"].get<std::string>().find("clnrm_sweep"), std::string::npos)
      << "the step did not run in the service's step agent: " << step.dump(2);
}

// A warm (reuse = true) service keeps its step agent between runs
// (src/backend/docker/kept_agent.h): the next run's first step runs in the
// same agent process, with no engine exec; a runner SIGKILLed during a step
// leaves nothing the next run sees; `clnrm services stop` removes the unit
// and every process of it.
TEST(RunDockerServiceAgent, AReusedServiceKeepsItsAgentBetweenRunsEvenAfterARunnerIsKilled) {
  TempDir dir;
  const std::string name = unique("svc_kept");
  // The service's own command names it on this host's process list.
  const std::string marker = "2147" + std::to_string(::getpid() % 100000);
  const std::string service = "[test.metadata]\nname = \"" + name + "\"\n" +
                              "\n[services.box]\nplugin = \"generic_container\"\nimage = \"clnrm-test/busybox\"\n"
                              "args = [\"sleep\", \"" + marker + "\"]\nreuse = true\n";
  // Prints the command line of the process that started the agent's sh
  // (the parent of the step's reaper), then its pid.
  const std::string probe = service + R"toml(
[[steps]]
name = "probe"
service = "box"
command = ["sh", "-c", '''sh_pid=$(cut -d' ' -f4 /proc/$PPID/stat); s=$(cut -d' ' -f4 /proc/$sh_pid/stat); tr '\0' ' ' </proc/$s/cmdline; echo; echo $s''']

[[steps]]
name = "nothing_left"
service = "box"
command = ["sh", "-c", "ps -o args | grep 'sleep 399[12]' | grep -v grep; echo checked"]
)toml";
  const std::string file = dir.file("probe.clnrm.toml");
  std::ofstream(file) << probe;
  const auto run = [&] {
    const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--json", dir.file("r.json"), file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const json steps = json::parse(read_file(dir.file("r.json")))["tests"][0]["steps"];
    EXPECT_EQ(steps[1]["stdout"], "checked\n") << steps.dump(2);
    const std::string out = steps[0]["stdout"].get<std::string>();
    EXPECT_NE(out.find("--serve-beside=3 -- sh -c"), std::string::npos) << "not the kept agent: " << out;
    return out.substr(out.rfind('\n', out.size() - 2) + 1);  // the server's pid
  };
  const std::string server = run();
  EXPECT_EQ(run(), server) << "the second run's first step ran in the agent the first run started";

  // A run killed during a step of the same unit (same service definition).
  const std::string sleeper = dir.file("sleeper.clnrm.toml");
  std::ofstream(sleeper) << service << R"toml(
[[steps]]
name = "sleeps"
service = "box"
command = ["sh", "-c", "setsid sleep 3992 & sleep 3991"]
)toml";
  {
    TempDir out;
    Child c({"run", "--backend", "docker", "--no-history", sleeper}, out.path());
    ASSERT_TRUE(wait_for_process("sleep 3991")) << c.stdout_so_far();
    c.signal(SIGKILL);
    EXPECT_EQ(c.wait().exit_code, 128 + SIGKILL);
  }
  EXPECT_EQ(run(), server) << "the agent outlives a killed runner";
  EXPECT_TRUE(no_process_left("sleep 3991"));
  EXPECT_TRUE(no_process_left("sleep 3992"));

  const Outcome stop = run_clnrm({"services", "stop", name + "/box"});
  EXPECT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  EXPECT_TRUE(no_process_left("sleep " + marker)) << "the unit's service runs on";
}

}  // namespace
