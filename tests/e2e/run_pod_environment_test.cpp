// What a step sees of its pod, through the CLI on both backends:
// - a [determinism] test runs with the hostname `clnrm` and, like every test,
//   umask 022 (include/clnrm/determinism.h), in steps and in services, even
//   when the runner's own umask is 077;
// - a step run inside a service (`service = "x"`) sees the service's `env`
//   under its own (docs/test-file-reference.md, Steps).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The runner's umask for the scope (the child clnrm inherits it).
class RunnerUmask {
 public:
  explicit RunnerUmask(mode_t mask) : old_(::umask(mask)) {}
  ~RunnerUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

// `plugin = "process"` runs on both backends (docker: in the default image).
// The service records what it was started with, then says it is ready.
constexpr const char* kDeterministicTest = R"(
[test.metadata]
name = "pod_umask_hostname"

[determinism]
seed = 7

[services.svc]
plugin = "process"
args = ["sh", "-c", "umask > /tmp/svc_umask; hostname > /tmp/svc_hostname; echo ready; exec sleep 100000"]
wait_for = { log = "ready", timeout = "30s" }

[[steps]]
name = "step"
command = ["sh", "-c", "umask; hostname; touch /tmp/made; stat -c %a /tmp/made"]
expected_output_regex = '\A0022\nclnrm\n644\n\z'

[[steps]]
name = "in_service"
service = "svc"
command = ["sh", "-c", "cat /tmp/svc_umask /tmp/svc_hostname; umask; hostname"]
expected_output_regex = '\A0022\nclnrm\n0022\nclnrm\n\z'
)";

constexpr const char* kServiceEnvTest = R"(
[test.metadata]
name = "step_sees_service_env"

[services.svc]
plugin = "process"
args = ["sh", "-c", "echo ready; exec sleep 100000"]
env = { SVC_ONLY = "from-service", BOTH = "service" }
wait_for = { log = "ready", timeout = "30s" }

[[steps]]
name = "in_service"
service = "svc"
command = ["sh", "-c", "echo \"$SVC_ONLY|$BOTH|$STEP_ONLY\""]
env = { BOTH = "step", STEP_ONLY = "mine" }
expected_output_regex = '\Afrom-service\|step\|mine\n\z'

[[steps]]
name = "outside"
command = ["sh", "-c", "echo \"${SVC_ONLY:-unset}\""]
expected_output_regex = '\Aunset\n\z'
)";

json run_file(const std::string& backend, const char* text) {
  TempDir dir;
  write(dir.file("t.clnrm.toml"), text);
  auto r = run_clnrm({"run", "--backend", backend, "--json", dir.file("r.json"), dir.file("t.clnrm.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << read_file(dir.file("r.json"));
  return json::parse(read_file(dir.file("r.json")))["tests"][0];
}

void expect_passed_with(const json& test, const std::vector<std::string>& outputs) {
  ASSERT_EQ(test["steps"].size(), outputs.size()) << test.dump(2);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(test["steps"][i]["status"], "passed") << test["steps"][i].dump(2);
    EXPECT_EQ(test["steps"][i]["stdout"], outputs[i]);
  }
}

TEST(RunPodEnvironment, DeterministicTestSeesUmaskAndHostnameOnTheSandbox) {
  RunnerUmask strict(077);
  expect_passed_with(run_file("sandbox", kDeterministicTest), {"0022\nclnrm\n644\n", "0022\nclnrm\n0022\nclnrm\n"});
}

TEST(RunPodEnvironment, DeterministicTestSeesUmaskAndHostnameOnDocker) {
  RunnerUmask strict(077);
  expect_passed_with(run_file("docker", kDeterministicTest), {"0022\nclnrm\n644\n", "0022\nclnrm\n0022\nclnrm\n"});
}

TEST(RunPodEnvironment, StepInAServiceSeesTheServiceEnvUnderItsOwnOnTheSandbox) {
  expect_passed_with(run_file("sandbox", kServiceEnvTest), {"from-service|step|mine\n", "unset\n"});
}

TEST(RunPodEnvironment, StepInAServiceSeesTheServiceEnvUnderItsOwnOnDocker) {
  expect_passed_with(run_file("docker", kServiceEnvTest), {"from-service|step|mine\n", "unset\n"});
}

}  // namespace
