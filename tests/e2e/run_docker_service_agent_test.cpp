// Steps inside a service, as the CLI runs them on the docker backend: they
// go through the service's step agent (src/backend/docker/service_agent.h),
// what a step daemonises does not outlive it, the service's logs never see
// the agent, and a timed-out step is killed through the agent.
#include <gtest/gtest.h>
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

}  // namespace
