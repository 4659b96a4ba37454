// Same test file, both backends (issue 16): every file of
// tests/e2e/data/images/ runs through the clnrm binary with --backend docker
// and with --backend sandbox, and each test must get the same verdict on
// both: passed, or failed for the tests named fails_* (one that would pass
// on the host's filesystem: an image silently not used cannot hide). Real
// engine (CI starts it; scripts/make-test-images.sh builds the images), the
// sandbox taking the images from its store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

namespace {

using run_e2e::Child;
using run_e2e::Outcome;
using run_e2e::TempDir;

const std::string kImages = "tests/e2e/data/images";

struct Verdicts {
  Outcome outcome;
  std::map<std::string, std::string> status;  // test name -> status
  std::map<std::string, std::string> message;
};

Verdicts run_on(const std::string& backend, const TempDir& out, const std::string& target = kImages) {
  // A private image cache: the sandbox exports what it needs from the engine.
  Child c({"run", "--backend", backend, "--format", "json", "--no-history", "--no-config", "-j", "2", target},
          out.path(), {"CLNRM_IMAGE_CACHE=" + out.path() + "/images"});
  Verdicts v;
  v.outcome = c.wait(std::chrono::seconds(300));
  const auto j = nlohmann::json::parse(v.outcome.out, nullptr, false);
  if (j.is_discarded()) return v;
  for (const auto& t : j["tests"]) {
    EXPECT_EQ(t["backend"], backend) << t.dump();
    v.status[t["name"]] = t["status"];
    v.message[t["name"]] = t.value("message", "");
  }
  return v;
}

TEST(ImageBackends, TheSharedImageFilesGetTheSameVerdictOnDockerAndTheSandbox) {
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(run_e2e::source_path(kImages)))
    files += e.path().string().ends_with(".clnrm.toml") ? 1 : 0;
  ASSERT_GE(files, 5u);

  TempDir docker_out, sandbox_out;
  const Verdicts docker = run_on("docker", docker_out);
  const Verdicts sandbox = run_on("sandbox", sandbox_out);
  ASSERT_EQ(docker.status.size(), files) << docker.outcome.out << docker.outcome.err;
  ASSERT_EQ(sandbox.status.size(), files) << sandbox.outcome.out << sandbox.outcome.err;
  for (const auto& [name, status] : docker.status) {
    const std::string expected = name.starts_with("fails_") ? "failed" : "passed";
    EXPECT_EQ(status, expected) << "docker: " << name << ": " << docker.message.at(name);
    ASSERT_TRUE(sandbox.status.count(name)) << name;
    EXPECT_EQ(sandbox.status.at(name), expected) << "sandbox: " << name << ": " << sandbox.message.at(name);
  }
  // A failing test makes the run fail, on both.
  EXPECT_EQ(docker.outcome.exit_code, 1) << docker.outcome.err;
  EXPECT_EQ(sandbox.outcome.exit_code, 1) << sandbox.outcome.err;
}

// The test's image on the sandbox at level low, with clnrm running as root
// (CI): refused, saying where the file names the image; on docker the same
// file runs.
TEST(ImageBackends, TheTestsImageAtLevelLowIsRefusedOnTheSandboxNamingFileLineAndColumn) {
  TempDir files, out;
  const std::string path = files.file("low.clnrm.toml");
  std::ofstream(path) << R"([test]
name = "low_image"
image = "clnrm-test/busybox"
[policy]
security_level = "low"
[[steps]]
name = "hello"
command = ["echo", "hello"]
)";
  const Verdicts sandbox = run_on("sandbox", out, path);
  ASSERT_EQ(sandbox.status.size(), 1u) << sandbox.outcome.out << sandbox.outcome.err;
  if (::geteuid() == 0) {
    EXPECT_EQ(sandbox.status.at("low_image"), "error");
    const std::string& message = sandbox.message.at("low_image");
    EXPECT_NE(message.find("low.clnrm.toml:3:9"), std::string::npos) << message;
    EXPECT_NE(message.find("level low"), std::string::npos) << message;
  } else {
    EXPECT_EQ(sandbox.status.at("low_image"), "passed") << sandbox.message.at("low_image");
  }
  TempDir docker_out;
  const Verdicts docker = run_on("docker", docker_out, path);
  ASSERT_EQ(docker.status.size(), 1u) << docker.outcome.out << docker.outcome.err;
  EXPECT_EQ(docker.status.at("low_image"), "passed") << docker.message.at("low_image");
}

}  // namespace
