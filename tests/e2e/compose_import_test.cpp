// `clnrm import compose` with the real binary (docs/running-tests.md,
// "Importing a compose file"): tests/e2e/data/compose/docker-compose.yml, a
// cache + web app in the shape of awesome-compose's samples, translated and
// then run with the local test images on docker and on the sandbox, with
// steps appended that talk to the services; the not-translated report
// names file:line; an existing output is never overwritten without --force.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/run_process.h"

namespace {

namespace fs = std::filesystem;
using run_e2e::CliScratch;
using run_e2e::Outcome;
using run_e2e::read_file;
using run_e2e::source_path;

// The sample's images, mapped onto the local test images (no pulls).
const std::vector<std::string> kImageMap = {"--image-map", "redis:7-alpine=clnrm-test/redis", "--image-map",
                                            "example/web:latest=clnrm-test/busybox-app"};

// What a user appends: each step fails when a translated key stops acting.
constexpr const char* kRedisStep = R"toml(
[[steps]]
name = "redis_answers"            # the service runs with its translated command
service = "redis"
command = ["redis-cli", "ping"]
expected_output_regex = "PONG"
)toml";
constexpr const char* kWebSteps = R"toml(
[[steps]]
name = "web_reaches_redis"        # one loopback network, redis started first
service = "web"
command = "printf 'PING\r\n' | nc 127.0.0.1 6379"
expected_output_regex = "PONG"

[[steps]]
name = "web_serves_the_bind_mount"  # command, ports and the ./app/static volume
service = "web"
command = ["wget", "-qO-", "http://127.0.0.1:5000/index.html"]
expected_output_regex = "cache-demo"

[[steps]]
name = "web_environment"          # environment, with ${APP_MODE:-compose} from [vars]; working_dir
service = "web"
command = "echo mode=$APP_MODE host=$REDIS_HOST dir=$(pwd)"
expected_output_regex = "mode=compose host=redis dir=/srv/app"
)toml";

// A copy of tests/e2e/data/compose/ to import in and run from.
struct ComposeScratch : CliScratch {
  ComposeScratch() {
    fs::copy(source_path("tests/e2e/data/compose"), files.path(), fs::copy_options::recursive);
  }
  std::string path(const std::string& name) const { return files.file(name); }
  void append(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::app) << text;
  }
};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(ComposeImportE2E, TheSampleTranslatedRunsOnDockerWithStepsThatTalkToItsServices) {
  ComposeScratch d;
  const Outcome imp = d.clnrm({"import", "compose", "docker-compose.yml", "-o", "app.clnrm.toml"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(imp.out, "");
  const std::string toml = read_file(d.path("app.clnrm.toml"));
  EXPECT_NE(toml.find("wait_for = { exec = [\"redis-cli\", \"ping\"], timeout = \"20s\" }"), std::string::npos) << toml;
  EXPECT_NE(toml.find("depends_on = [\"redis\"]"), std::string::npos) << toml;
  // As written, the file is valid.
  const Outcome valid = d.clnrm({"validate", "--no-config", "app.clnrm.toml"});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;

  d.append("app.clnrm.toml", std::string(kRedisStep) + kWebSteps);
  const Outcome run = d.clnrm(with({"run", "--backend", "docker", "--no-history", "--no-config"},
                                   with(kImageMap, {"app.clnrm.toml"})));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("PASS   cache-demo"), std::string::npos) << run.out;
}

// The sandbox runs the images from the local engine too. A sandbox service
// with an image sees the test's volumes only below /tmp (docs/SANDBOX.md,
// "Image pods"), so the sandbox run takes the cache alone: --service.
TEST(ComposeImportE2E, TheCacheTranslatedRunsOnTheSandbox) {
  ComposeScratch d;
  const Outcome imp = d.clnrm({"import", "compose", "--service", "redis", "docker-compose.yml"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(imp.out.find("[services.web]"), std::string::npos) << imp.out;
  std::ofstream(d.path("cache.clnrm.toml")) << imp.out << kRedisStep;
  const Outcome run =
      d.clnrm(with({"run", "--backend", "sandbox", "--no-history", "--no-config"}, with(kImageMap, {"cache.clnrm.toml"})));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("PASS   cache-demo"), std::string::npos) << run.out;
}

TEST(ComposeImportE2E, WhatIsNotTranslatedIsListedWithFileAndLine) {
  ComposeScratch d;
  const Outcome imp = d.clnrm({"import", "compose", "docker-compose.yml"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  for (const char* line : {
           "docker-compose.yml:10: service 'redis': key 'restart' not translated: ",  // merged from x-restart
           "docker-compose.yml:22: service 'redis': key 'volumes' not translated: 'redis-data:/data': named volume",
           "docker-compose.yml:23: service 'redis': key 'networks' not translated: ",
           "docker-compose.yml:28: service 'web': key 'build' not translated: clnrm runs images and does not build them",
           "docker-compose.yml:36: service 'web': key 'ports' not translated: '8000:5000': the host side is not published",
           "docker-compose.yml:43: service 'web': key 'user' not translated: ",
           "docker-compose.yml:48: key 'volumes' not translated: ",
           "docker-compose.yml:51: key 'networks' not translated: ",
       })
    EXPECT_NE(("\n" + imp.err).find(std::string("\n") + line), std::string::npos) << line << "\n" << imp.err;
  EXPECT_NE(imp.err.find("clnrm: docker-compose.yml: 2 service(s) translated, 9 key(s) not translated"),
            std::string::npos)
      << imp.err;
  EXPECT_EQ(imp.out.rfind("# Imported from docker-compose.yml by `clnrm import compose`.", 0), 0u) << imp.out;
}

TEST(ComposeImportE2E, AnExistingOutputIsNotOverwrittenWithoutForce) {
  ComposeScratch d;
  const std::string out = d.path("app.clnrm.toml");
  std::ofstream(out) << "# mine\n";
  const Outcome refused = d.clnrm({"import", "compose", "docker-compose.yml", "-o", "app.clnrm.toml"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("app.clnrm.toml: exists; refusing to overwrite it (--force replaces it)"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(read_file(out), "# mine\n");
  const Outcome forced = d.clnrm({"import", "compose", "docker-compose.yml", "-o", "app.clnrm.toml", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(read_file(out).find("[services.redis]"), std::string::npos);
  for (const auto& e : fs::directory_iterator(d.files.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST(ComposeImportE2E, BadInputIsAnErrorNamingTheFileAndLine) {
  ComposeScratch d;
  std::ofstream(d.path("bad.yml")) << "services:\n  a:\n    image: x\n  a:\n    image: y\n";
  const Outcome dup = d.clnrm({"import", "compose", "bad.yml", "-o", "bad.clnrm.toml"});
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("clnrm: error: bad.yml:4:3: YAML: duplicate key 'a'"), std::string::npos) << dup.err;
  EXPECT_FALSE(fs::exists(d.path("bad.clnrm.toml")));
  const Outcome missing = d.clnrm({"import", "compose", "nope.yml"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.yml"), std::string::npos) << missing.err;
  const Outcome unknown = d.clnrm({"import", "compose", "docker-compose.yml", "--service", "db"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no service 'db' in docker-compose.yml (it has: redis, web)"), std::string::npos)
      << unknown.err;
}

}  // namespace
