// `clnrm run --pull never|missing|always` and `--offline` through the real
// binary, against a real registry on loopback (docs/images.md, "clnrm run
// and the network"): missing pulls once then uses the cache, never and
// offline fail saying where they looked, always fetches the manifest again.
// Every image here is named 127.0.0.1:PORT/...: no test reaches any other
// registry.
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

class RunPull : public ::testing::Test {
 protected:
  // A busybox image (the host's static busybox) whose /marker says `marker`,
  // pushed as clnrm-test/pullme:1.
  void push_image(const std::string& marker) {
    const std::string name = "layout-" + marker;
    clnrm::testing::TarBuilder(dir_.file(name + ".tar"))
        .dir("bin")
        .file("bin/busybox", clnrm::testing::read_whole("/bin/busybox"), 0755)
        .file("marker", marker + "\n")
        .close();
    clnrm::testing::OciLayoutBuilder b(dir_.file(name));
    const auto img = b.image({dir_.file(name + ".tar")}, {{"Env", {"PATH=/bin"}}});
    b.index({{img.manifest_digest, "latest", ""}});
    registry_.push("oci:" + dir_.file(name) + ":latest", "clnrm-test/pullme:1");
  }
  std::string image() const { return registry_.host() + "/clnrm-test/pullme:1"; }
  // The test: its step prints /marker and expects `expected` there.
  void write_test(const std::string& expected = "v") {
    clnrm::testing::write_whole(tests_.file("pull.clnrm.toml"), R"([test.metadata]
name = "pull"
[services.box]
plugin = "generic_container"
image = ")" + image() + R"("
args = ["/bin/busybox", "sleep", "300"]
[[steps]]
name = "marker"
service = "box"
command = ["/bin/busybox", "cat", "/marker"]
expected_output_regex = "^)" + expected + R"(\n$"
)");
  }
  // clnrm run on the test with `flags`, the engine out of the way (a dead
  // socket: only the cache and the registry can have the image) and a cache
  // of this test's own. `env` adds to (or overrides) the environment.
  Outcome run(const std::vector<std::string>& flags, std::vector<std::string> env = {}) {
    std::vector<std::string> args = {"run", "--backend", "sandbox", "--no-history", "--format", "json"};
    if (config_.empty()) {
      args.push_back("--no-config");
    } else {
      args.push_back("--config");
      args.push_back(config_);
    }
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(tests_.path());
    env.push_back("DOCKER_HOST=unix:///nonexistent/clnrm.sock");
    env.push_back("CLNRM_IMAGE_CACHE=" + dir_.file("cache"));
    Child c(args, out_.path(), env);
    return c.wait(std::chrono::seconds(120));
  }
  // The test's status and message, and the marker its step printed.
  static nlohmann::json only_test(const Outcome& o) {
    const auto j = nlohmann::json::parse(o.out, nullptr, false);
    if (j.is_discarded() || j["tests"].size() != 1) return {};
    return j["tests"][0];
  }
  static std::string message_of(const Outcome& o) {
    const nlohmann::json t = only_test(o);
    return t.is_object() && t.contains("message") && t["message"].is_string() ? t["message"].get<std::string>() : "";
  }
  // Which marker the image run by `flags` has: "v1", "v2", or what failed.
  std::string marker_of(const std::vector<std::string>& flags, const std::vector<std::string>& env = {}) {
    for (const char* marker : {"v1", "v2"}) {
      write_test(marker);
      const Outcome o = run(flags, env);
      const nlohmann::json t = only_test(o);
      if (!t.is_null() && t["status"] == "passed") return marker;
      if (t.is_null() || t["status"] != "failed") return "(" + o.out + o.err + ")";
    }
    return "(neither)";
  }

  // A cleanroom.toml of the test's own (--config) saying `text`.
  void write_config(const std::string& text) {
    config_ = dir_.file("cleanroom.toml");
    clnrm::testing::write_whole(config_, text);
  }

  TempDir dir_, tests_, out_;
  std::string config_;  // empty: --no-config
  clnrm::testing::LoopbackRegistry registry_{dir_.file("registry")};
};

TEST_F(RunPull, NeverAndOfflineFailSayingWhereTheyLooked) {
  push_image("v1");
  write_test();
  Outcome o = run({"--pull", "never"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  std::string message = message_of(o);
  EXPECT_NE(message.find("image '" + image() + "' not found. Looked in: (1) "), std::string::npos)
      << o.out;
  EXPECT_NE(message.find("(3) the registry http://" + registry_.host() + " was not asked (pull policy never)"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  // --offline wins over --pull always.
  o = run({"--offline", "--pull", "always"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  message = message_of(o);
  EXPECT_NE(message.find("the registry http://" + registry_.host() + " was not asked (offline)"), std::string::npos)
      << message;
  // The test binaries' own default (CLNRM_PULL=never, tests/support/test_environment_defaults.cpp).
  o = run({});
  EXPECT_NE(message_of(o).find("was not asked (pull policy never)"), std::string::npos) << o.out;
  // A bad CLNRM_PULL is a usage error naming it.
  o = run({}, {"CLNRM_PULL=sometimes"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("CLNRM_PULL: unknown pull policy 'sometimes' (never, missing or always)"), std::string::npos)
      << o.err;
}

TEST_F(RunPull, MissingPullsOnceThenUsesTheCacheAndAlwaysFetchesTheManifestAgain) {
  push_image("v1");
  // The default without CLNRM_PULL is missing: pulled from the registry.
  write_test("v1");
  Outcome o = run({}, {"CLNRM_PULL="});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  // A new image under the same tag: missing keeps the cached one ...
  push_image("v2");
  EXPECT_EQ(marker_of({"--pull", "missing"}), "v1");
  // ... always fetches the current manifest.
  EXPECT_EQ(marker_of({"--pull", "always"}), "v2");
  // The registry gone: missing runs from the cache; always cannot.
  registry_.stop();
  EXPECT_EQ(marker_of({"--pull", "missing"}), "v2");
  o = run({"--pull", "always"});
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(message_of(o).find("cannot be reached"), std::string::npos) << o.out;
}

// [defaults] pull of cleanroom.toml acts under CLNRM_PULL and --pull
// (docs/images.md, "clnrm run and the network"); "CLNRM_PULL=" (empty) is
// unset, so the file's policy is the one left.
TEST_F(RunPull, TheProjectsPullPolicyActsUnderTheEnvironmentAndTheFlag) {
  push_image("v1");
  write_test("v1");
  write_config("[defaults]\npull = \"never\"\n");
  Outcome o = run({"--verbose"}, {"CLNRM_PULL="});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(message_of(o).find("the registry http://" + registry_.host() + " was not asked (pull policy never)"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.err.find("pull never (" + config_ + ":2:8)"), std::string::npos) << o.err;
  // --pull wins over the file.
  EXPECT_EQ(marker_of({"--pull", "missing"}, {"CLNRM_PULL="}), "v1");
  // A new image under the tag: the file's always fetches it ...
  push_image("v2");
  write_config("[defaults]\npull = \"always\"\n");
  // ... unless CLNRM_PULL says otherwise (the cache still has v1).
  EXPECT_EQ(marker_of({}, {"CLNRM_PULL=missing"}), "v1");
  EXPECT_EQ(marker_of({}, {"CLNRM_PULL="}), "v2");
  // An unknown policy is an error at its value, before anything runs.
  write_config("[defaults]\npull = \"sometimes\"\n");
  o = run({}, {"CLNRM_PULL="});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find(config_ + ":2:8: error: pull: unknown pull policy 'sometimes' (never, missing or always)"),
            std::string::npos)
      << o.err;
}

}  // namespace
