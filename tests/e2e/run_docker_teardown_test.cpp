// The docker backend's pod and teardown as the CLI runs them (issue 17):
// - a test whose one service runs every step is one container: the service
//   owns the pod's network and UTS namespaces (its hostname is its own id);
//   a test with a step in the pod keeps the anchor;
// - the CLI does not wait for the engine's removals: its teardown process
//   removes every container after the runner ended, also after a SIGKILL
//   (without any later clnrm command, so not the reaper).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::string unique(const std::string& base) { return base + "_" + std::to_string(::getpid()); }

// Ids of the containers labelled with test `test` (any state).
std::string containers_of_test(const std::string& test) {
  TempDir dir;
  const std::string out = dir.file("ps");
  [[maybe_unused]] int rc =
      std::system(("docker ps -aq --filter label=clnrm.test=" + test + " > " + out + " 2>&1").c_str());
  return read_file(out);
}

// Polls until no container of `test` is left (true) or `limit` passes.
bool no_container_left(const std::string& test, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (containers_of_test(test).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return containers_of_test(test).empty();
}

std::string service_test(const std::string& name, const std::string& steps) {
  return "[test.metadata]\nname = \"" + name +
         "\"\n\n"
         "[services.box]\n"
         "plugin = \"generic_container\"\n"
         "image = \"clnrm-test/busybox\"\n"
         "args = [\"sleep\", \"2147483647\"]\n\n" +
         steps;
}

const char* const kHostnameInService =
    "[[steps]]\nname = \"inside\"\nservice = \"box\"\ncommand = [\"hostname\"]\n";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(RunDockerPod, TheOneServiceThatRunsEveryStepIsThePod) {
  TempDir dir;
  const std::string file = dir.file("one.clnrm.toml");
  std::ofstream(file) << service_test(unique("one_container"), kHostnameInService);
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--json", dir.file("r.json"), file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  // The engine names a container's UTS namespace after the container that
  // owns it: the service's own id, so no anchor precedes it.
  EXPECT_EQ(trimmed(t["steps"][0]["stdout"]), t["services"][0]["id"].get<std::string>().substr(0, 12)) << t.dump(2);
}

TEST(RunDockerPod, AStepInThePodKeepsTheAnchor) {
  TempDir dir;
  const std::string file = dir.file("two.clnrm.toml");
  std::ofstream(file) << service_test(unique("anchor_kept"),
                                      std::string(kHostnameInService) +
                                          "\n[[steps]]\nname = \"in_pod\"\ncommand = [\"hostname\"]\n");
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", "--json", dir.file("r.json"), file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  const std::string service_id = t["services"][0]["id"].get<std::string>().substr(0, 12);
  // Both steps see the anchor's hostname (one UTS namespace), not the service's.
  EXPECT_EQ(t["steps"][0]["stdout"], t["steps"][1]["stdout"]) << t.dump(2);
  EXPECT_NE(trimmed(t["steps"][0]["stdout"]), service_id) << t.dump(2);
}

TEST(RunDockerTeardown, NothingIsLeftAfterTheRun) {
  TempDir dir;
  const std::string test = unique("teardown_after_run");
  const std::string file = dir.file("t.clnrm.toml");
  std::ofstream(file) << service_test(test, kHostnameInService +
                                                std::string("\n[[steps]]\nname = \"in_pod\"\ncommand = [\"true\"]\n"));
  const Outcome r = run_clnrm({"run", "--backend", "docker", "--no-history", file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(no_container_left(test)) << containers_of_test(test);
}

TEST(RunDockerTeardown, ARunnerKilledWithSigkillLeavesNothingBehind) {
  TempDir dir;
  const std::string test = unique("teardown_sigkill");
  const std::string file = dir.file("t.clnrm.toml");
  std::ofstream(file) << service_test(
      test, "[[steps]]\nname = \"hang\"\nservice = \"box\"\ncommand = [\"sleep\", \"600\"]\n"
            "\n[[steps]]\nname = \"in_pod\"\ncommand = [\"true\"]\n");
  Child c({"run", "--backend", "docker", "--no-history", file}, dir.path());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (containers_of_test(test).empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_FALSE(containers_of_test(test).empty()) << c.stdout_so_far();
  // Give the step time to be inside the service (its exec has started).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  c.signal(SIGKILL);
  const Outcome r = c.wait();
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  // No clnrm command runs after this: only the runner's teardown process can
  // remove them (the reaper would wait for the next run).
  EXPECT_TRUE(no_container_left(test)) << containers_of_test(test);
}

}  // namespace
