// The engine the sandbox's image store exports from (docker_image_engine,
// src/backend/docker/image_engine.cpp): a malformed --docker-host is named
// as such, not taken for "no engine" (then "the local engine was not
// consulted" would hide the typo).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "e2e/run_process.h"
#include "support/oci_layout_builder.h"

using namespace run_e2e;

namespace {

// The endpoint parser's words (src/backend/docker/endpoint.cpp): the flag,
// the value, and what clnrm speaks.
bool names_bad_host(const std::string& text) {
  return text.find("--docker-host 'bogus://x'") != std::string::npos &&
         text.find("clnrm speaks unix:// and tcp:// (plain HTTP) only") != std::string::npos;
}

TEST(ImageEngineAddress, AMalformedDockerHostIsNamedByRunAndImagePull) {
  TempDir tests, out, cache;
  clnrm::testing::write_whole(tests.file("named.clnrm.toml"), R"([test.metadata]
name = "named"
[services.box]
plugin = "generic_container"
image = "clnrm-test/not-anywhere:1"
args = ["sleep", "300"]
[[steps]]
name = "s"
service = "box"
command = ["true"]
)");
  Child run({"run", "--backend", "sandbox", "--no-history", "--no-config", "--format", "json", "--offline",
             "--docker-host", "bogus://x", tests.path()},
            out.path(), {"CLNRM_IMAGE_CACHE=" + cache.path()});
  const Outcome o = run.wait(std::chrono::seconds(120));
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const auto j = nlohmann::json::parse(o.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << o.out << o.err;
  EXPECT_EQ(j["tests"][0]["status"], "error") << o.out;
  const std::string message = j["tests"][0]["message"].is_string() ? j["tests"][0]["message"].get<std::string>() : "";
  EXPECT_TRUE(names_bad_host(message)) << message;
  EXPECT_EQ(message.find("not consulted"), std::string::npos) << message;

  const Outcome pull = run_clnrm({"image", "pull", "--cache-dir", cache.path(), "--pull-policy", "never",
                                  "--docker-host", "bogus://x", "clnrm-test/not-anywhere:1"});
  EXPECT_EQ(pull.exit_code, 2) << pull.err;
  EXPECT_TRUE(names_bad_host(pull.err)) << pull.err;
}

}  // namespace
