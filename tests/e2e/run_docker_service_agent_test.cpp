// Steps inside a service, as the CLI runs them on the docker backend: they
// go through the service's step agent (src/backend/docker/service_agent.h),
// what a step daemonises does not outlive it, the service's logs never see
// the agent, and a timed-out step is killed while the service keeps serving.
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

// The step's reaper's parent: the agent's sh through the agent; nothing
// through an engine exec (the reaper's parent is outside the container).
const char* const kProbeStep = R"toml(
[[steps]]
name = "probe"
service = "box"
command = ["sh", "-c", '''pp=$(cut -d' ' -f4 /proc/$PPID/stat); tr '\0' ' ' </proc/$pp/cmdline''']
)toml";

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
  std::ofstream(file) << test_file(unique("svc_agent"), std::string(kProbeStep) + R"toml(
[[steps]]
name = "daemon"
service = "box"
command = ["sh", "-c", "setsid sh -c 'sleep 3971' >/dev/null 2>&1 & echo started"]

[[steps]]
name = "after"
service = "box"
command = ["sh", "-c", "ps -o stat,args | grep -v '^Z' | grep 'sleep 397' | grep -v grep; echo checked"]
)toml" + kProbeStep);
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

TEST(RunDockerServiceAgent, ATimedOutStepInAServiceIsKilledAndTheServiceKeepsServing) {
  TempDir dir;
  const std::string file = dir.file("timeout.clnrm.toml");
  // The timed-out step (the run goes on after it), then a check that
  // nothing of it is left and the agent still serves.
  std::ofstream(file) << test_file(unique("svc_agent_timeout"), R"toml(
[[steps]]
name = "slow"
service = "box"
timeout = "700ms"
continue_on_failure = true
command = ["sh", "-c", "trap '' TERM INT HUP; sleep 3981"]

[[steps]]
name = "after"
service = "box"
command = ["sh", "-c", '''ps -o stat,args | grep -v '^Z' | grep 'sleep 398' | grep -v grep; pp=$(cut -d' ' -f4 /proc/$PPID/stat); tr '\0' ' ' </proc/$pp/cmdline''']
)toml");
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--json", dir.file("r.json"), file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  const json steps = t["steps"];
  ASSERT_EQ(steps.size(), 2u) << t.dump(2);
  EXPECT_LT(steps[0]["duration_ms"].get<double>(), 5000) << steps[0].dump(2);
  const std::string after = steps[1]["stdout"];
  EXPECT_EQ(after.find("sleep 398"), std::string::npos) << "the timed-out step survived: " << after;
  EXPECT_NE(after.find("clnrm_sweep"), std::string::npos) << "the agent stopped serving: " << steps[1].dump(2);
}

}  // namespace
