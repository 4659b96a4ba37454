// One engine endpoint for every command (issue 14, items 7 and 10): `health`
// and `run` resolve DOCKER_HOST / CLNRM_DOCKER_SOCKET / --docker-host the
// same way and fail in the same words naming the endpoint; `--backend auto`
// says which backend ran and why, and a test naming an image fails on the
// sandbox instead of running without it. Real binary, real engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

namespace {

namespace fs = std::filesystem;
using run_e2e::Child;
using run_e2e::CliScratch;
using run_e2e::Outcome;

constexpr const char* kDeadHost = "DOCKER_HOST=unix:///nonexistent";
constexpr const char* kDeadMessage =
    "cannot reach the Docker engine at unix:///nonexistent (from DOCKER_HOST): /nonexistent: no "
    "such file";

constexpr const char* kPlain = R"([test.metadata]
name = "plain"
[[steps]]
name = "hello"
command = ["echo", "hello"]
expected_output_regex = "hello"
)";

constexpr const char* kWithImage = R"([test.metadata]
name = "with_image"
[services.box]
plugin = "generic_container"
image = "clnrm-test/busybox"
args = ["sleep", "300"]
[[steps]]
name = "in_box"
service = "box"
command = ["echo", "inside"]
expected_output_regex = "inside"
)";

using Dir = CliScratch;

const nlohmann::json* engine_check(const nlohmann::json& j) {
  for (const auto& c : j["checks"])
    if (c["category"] == "engine" && c["name"].get<std::string>().starts_with("engine ")) return &c;
  return nullptr;
}

TEST(EngineEndpoint, HealthAndRunReportTheSameDeadDockerHost) {
  Dir d;
  d.add("plain", kPlain);
  const Outcome health = d.clnrm({"health", "--format", "json", "--no-config"}, {kDeadHost});
  EXPECT_EQ(health.exit_code, 1) << health.out;
  const auto j = nlohmann::json::parse(health.out);
  EXPECT_TRUE(j["sandbox_ready"].get<bool>());
  EXPECT_FALSE(j["ready"].get<bool>());
  const auto* c = engine_check(j);
  ASSERT_NE(c, nullptr) << health.out;
  EXPECT_EQ((*c)["status"], "fail");
  EXPECT_EQ((*c)["detail"], kDeadMessage);
  const Outcome human = d.clnrm({"health", "--no-config"}, {kDeadHost});
  EXPECT_EQ(human.exit_code, 1);
  EXPECT_NE(human.out.find(kDeadMessage), std::string::npos) << human.out;

  const Outcome run = d.clnrm({"run", "--backend", "docker", "--no-history", "--no-config", "."}, {kDeadHost});
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.err.find(kDeadMessage), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("localhost port 80"), std::string::npos) << run.err;
}

TEST(EngineEndpoint, AGoodDockerHostWorksForBoth) {
  Dir d;
  d.add("with_image", kWithImage);
  const std::vector<std::string> env = {"DOCKER_HOST=unix:///var/run/docker.sock"};
  const Outcome health = d.clnrm({"health", "--format", "json", "--no-config"}, env);
  EXPECT_EQ(health.exit_code, 0) << health.out;
  const auto j = nlohmann::json::parse(health.out);
  const auto* c = engine_check(j);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["status"], "ok");
  EXPECT_NE((*c)["detail"].get<std::string>().find("unix:///var/run/docker.sock (from DOCKER_HOST)"),
            std::string::npos)
      << c->dump();
  const Outcome run = d.clnrm({"run", "--backend", "docker", "--no-history", "--no-config", "."}, env);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(EngineEndpoint, ClnrmDockerSocketAndDockerHostFlagAreHonoured) {
  Dir d;
  d.add("plain", kPlain);
  // CLNRM_DOCKER_SOCKET (where scripts/start-docker.sh starts its engine).
  Outcome o = d.clnrm({"health", "--format", "json", "--no-config"},
                      {"CLNRM_DOCKER_SOCKET=/nonexistent/clnrm.sock"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("unix:///nonexistent/clnrm.sock (from CLNRM_DOCKER_SOCKET)"), std::string::npos)
      << o.out;
  o = d.clnrm({"run", "--backend", "docker", "--no-history", "--no-config", "."},
              {"CLNRM_DOCKER_SOCKET=/var/run/docker.sock"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // --docker-host beats the environment, on run and on health.
  o = d.clnrm({"run", "--backend", "docker", "--docker-host", "unix:///var/run/docker.sock",
               "--no-history", "--no-config", "."},
              {kDeadHost});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  o = d.clnrm({"health", "--docker-host", "unix:///nonexistent/flag.sock", "--no-config"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("unix:///nonexistent/flag.sock (from --docker-host)"), std::string::npos) << o.out;
}

TEST(AutoBackend, EngineDownFallsBackLoudlyAndFailsTheImageTest) {
  Dir d;
  d.add("plain", kPlain);
  d.add("with_image", kWithImage);
  // An empty image cache: the sandbox's store has nowhere to find the image.
  const std::string cache = "CLNRM_IMAGE_CACHE=" + d.out.path() + "/images";
  const Outcome o = d.clnrm({"run", "--backend", "auto", "--format", "json", "--no-history", "--no-config", "."},
                            {kDeadHost, cache});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("clnrm: backend sandbox (auto: tests name images (with_image) but " +
                       std::string(kDeadMessage)),
            std::string::npos)
      << o.err;
  const auto j = nlohmann::json::parse(o.out);
  for (const auto& t : j["tests"]) {
    EXPECT_EQ(t["backend"], "sandbox");
    if (t["name"] == "plain") {
      EXPECT_EQ(t["status"], "passed");
    } else {
      EXPECT_EQ(t["status"], "error");
      // The store's own words: where it looked, the dead engine among them.
      const std::string message = t["message"].get<std::string>();
      EXPECT_NE(message.find("image 'clnrm-test/busybox' not found"), std::string::npos) << t.dump();
      EXPECT_NE(message.find("/nonexistent"), std::string::npos) << t.dump();
    }
  }
}

TEST(AutoBackend, EngineUpRunsImagesOnDockerAndSaysWhy) {
  Dir d;
  d.add("with_image", kWithImage);
  const Outcome o = d.clnrm({"run", "--backend", "auto", "--format", "json", "--no-history", "--no-config", "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("clnrm: backend docker (auto: tests name images (with_image) and the engine answers)"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(nlohmann::json::parse(o.out)["tests"][0]["backend"], "docker");
}

// The same file as on docker runs on the sandbox: the image comes from the
// local engine's store (exported once into clnrm's image cache), and the
// step naming the service runs in the image's filesystem (busybox's
// /bin/busybox, which the host view does not have at that path).
TEST(SandboxBackend, ATestNamingAnImageRunsItFromTheEnginesStore) {
  Dir d;
  std::string probe = kWithImage;
  probe.replace(probe.find("command = [\"echo\", \"inside\"]"), std::string("command = [\"echo\", \"inside\"]").size(),
                "command = [\"/bin/busybox\", \"echo\", \"inside\"]");
  d.add("with_image", probe);
  const std::string cache = "CLNRM_IMAGE_CACHE=" + d.out.path() + "/images";
  Outcome o = d.clnrm({"run", "--backend", "sandbox", "--no-history", "--no-config", "--format", "json", "."}, {cache});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j["tests"].size(), 1u);
  EXPECT_EQ(j["tests"][0]["backend"], "sandbox");
  EXPECT_EQ(j["tests"][0]["status"], "passed") << j.dump();
  EXPECT_TRUE(fs::exists(d.out.path() + "/images")) << "the image went through clnrm's cache";
  // An image for docker plus a rootfs for the sandbox: portable, runs on both.
  fs::create_directories(fs::path(d.files.path()) / "root");
  std::string portable = kWithImage;
  portable.replace(portable.find("args = "), 0, "rootfs = \"root\"\n");
  std::filesystem::remove(d.files.file("with_image.clnrm.toml"));
  d.add("portable", portable);
  o = d.clnrm({"run", "--backend", "sandbox", "--no-history", "--no-config", "-v", "."});
  EXPECT_EQ(o.out.find("cannot run images"), std::string::npos) << o.out;
}

TEST(NullBackend, RunsNothingSoWaitsForNothing) {
  Dir d;
  // The log never appears (null starts nothing): waiting would reach the
  // test's 1s timeout and fail it.
  d.add("waits", R"([test.metadata]
name = "waits"
timeout = "1s"
[services.db]
plugin = "process"
args = ["sleep", "600"]
wait_for = { log = "never printed", timeout = "10m" }
[[steps]]
name = "step"
command = ["false"]
)");
  const Outcome o = d.clnrm({"run", "--backend", "null", "--format", "json", "--no-history", "--no-config", "."});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["tests"][0]["status"], "passed") << o.out;
  EXPECT_EQ(j["tests"][0]["services"][0]["message"], "") << o.out;
}

}  // namespace
