// `clnrm image ls | pull | rm | prune` through the real binary
// (src/cli/image_command.cpp): every flag acts, errors say what to do.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/run_process.h"
#include "support/loopback_registry.h"
#include "support/oci_layout_builder.h"
#include "support/tar_builder.h"

using namespace run_e2e;

namespace {

class ImageCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    clnrm::testing::TarBuilder(dir_.file("layer.tar")).file("hello", "world").close();
    clnrm::testing::OciLayoutBuilder b(dir_.file("layout"));
    const auto img = b.image({dir_.file("layer.tar")}, {{"Cmd", {"/hello"}}});
    b.index({{img.manifest_digest, "latest", ""}});
    manifest_ = img.manifest_digest;
  }
  Outcome image(std::vector<std::string> args) {
    args.insert(args.begin(), "image");
    args.push_back("--cache-dir");
    args.push_back(cache());
    return run_clnrm(args);
  }
  std::string cache() const { return dir_.file("cache"); }
  std::string layout() const { return "oci:" + dir_.file("layout") + ":latest"; }

  TempDir dir_;
  std::string manifest_;
};

TEST_F(ImageCommand, PullLsRmPrune) {
  Outcome o = image({"pull", "--no-engine", layout()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, layout() + ": " + manifest_ + ", 1 layer(s) in " + cache() + "\n");
  o = image({"ls", "--format", "json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["reference"], layout());
  EXPECT_EQ(j[0]["manifest_digest"], manifest_);
  o = image({"ls"});
  EXPECT_NE(o.out.find("image cache " + cache() + ": 1 image(s)"), std::string::npos) << o.out;
  o = image({"rm", layout()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "removed " + layout() + "\n");
  o = image({"rm", layout()});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("is not in the cache (see clnrm image ls)"), std::string::npos) << o.err;
  o = image({"prune"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "pruned 3 blob(s), 1 layer(s), 0 leftover(s) of killed pulls\n");
}

TEST_F(ImageCommand, NotFoundListsWhereItLookedAndExits2) {
  const Outcome o = image({"pull", "--no-engine", "--pull-policy", "never", "clnrm-test/nowhere:1"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("image 'clnrm-test/nowhere:1' not found. Looked in:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("the local engine was not consulted"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("was not asked (pull policy never)"), std::string::npos) << o.err;
}

TEST_F(ImageCommand, DockerHostNamesTheEngineAsked) {
  const Outcome o = image({"pull", "--docker-host", "unix://" + dir_.file("no.sock"), "--pull-policy", "never",
                           "clnrm-test/nowhere:1"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("the engine at unix://" + dir_.file("no.sock") + " (from --docker-host) did not answer"),
            std::string::npos) << o.err;
}

TEST_F(ImageCommand, ImageMapAndImagesSectionApply) {
  Outcome o = image({"pull", "--no-engine", "--no-config", "--image-map", "alpine=" + layout(), "alpine"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(manifest_), std::string::npos);
  run_e2e::TempDir project;
  clnrm::testing::write_whole(project.file("cleanroom.toml"), "[images]\n\"redis:7\" = \"" + layout() + "\"\n");
  o = image({"pull", "--no-engine", "--config", project.file("cleanroom.toml"), "redis:7"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find(manifest_), std::string::npos);
}

TEST_F(ImageCommand, RegistryPolicyAndOffline) {
  clnrm::testing::LoopbackRegistry registry(dir_.file("registry"));
  registry.push(layout(), "clnrm-test/hello:1");
  // --offline: the registry is never asked.
  Outcome o = image({"pull", "--no-engine", "--offline", "--registry", registry.host(), "clnrm-test/hello:1"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("the registry http://" + registry.host() + " was not asked (offline)"), std::string::npos) << o.err;
  // --registry: names without a host come from it.
  o = image({"pull", "--no-engine", "--registry", registry.host(), "clnrm-test/hello:1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("clnrm-test/hello:1: sha256:"), std::string::npos) << o.out;  // skopeo rewrites the manifest
  EXPECT_NE(image({"ls"}).out.find("(registry http://" + registry.host() + ")"), std::string::npos);
  registry.stop();
  // --pull-policy always asks the registry even with the image cached.
  o = image({"pull", "--no-engine", "--registry", registry.host(), "--pull-policy", "always", "clnrm-test/hello:1"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("cannot be reached"), std::string::npos) << o.err;
  o = image({"pull", "--no-engine", "--registry", registry.host(), "clnrm-test/hello:1"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

}  // namespace
