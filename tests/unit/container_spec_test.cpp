// The create body of a container (src/backend/docker/container_spec.cpp):
// the test's volumes as HostConfig.Mounts binds, read_only honoured, the
// sockets inside them covered.
#include "backend/docker/container_spec.h"

#include <gtest/gtest.h>

namespace clnrm::docker {
namespace {

TEST(ContainerSpec, VolumesAreBindMountsWithTheirReadOnlyFlagAndSocketsCovered) {
  ContainerConfig c;
  c.image = "clnrm-test/busybox";
  c.mounts = {VolumeSpec{"/t/fixtures", "/fixtures", true, {}}, VolumeSpec{"/t/out", "/tmp/out", false, {}}};
  c.covered = {"/fixtures/app.sock"};
  const auto hc = create_body(c)["HostConfig"];
  EXPECT_FALSE(hc.contains("Binds")) << "Binds would create a missing source directory";
  ASSERT_EQ(hc["Mounts"].size(), 3u);
  EXPECT_EQ(hc["Mounts"][0], (nlohmann::json{{"Type", "bind"}, {"Source", "/t/fixtures"}, {"Target", "/fixtures"},
                                             {"ReadOnly", true}}));
  EXPECT_EQ(hc["Mounts"][1]["Source"], "/t/out");
  EXPECT_EQ(hc["Mounts"][1]["ReadOnly"], false);
  EXPECT_EQ(hc["Mounts"][2], (nlohmann::json{{"Type", "bind"}, {"Source", "/dev/null"},
                                             {"Target", "/fixtures/app.sock"}, {"ReadOnly", true}}));
  // A warm (reuse) container with other volumes is never adopted.
  ContainerConfig other = c;
  other.mounts[1].read_only = true;
  EXPECT_NE(reuse_identity(c), reuse_identity(other));
}

}  // namespace
}  // namespace clnrm::docker
