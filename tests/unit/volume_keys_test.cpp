// compose volumes -> clnrm volumes, confined as the parser confines them
// (src/compose/volume_keys.cpp, through import_compose).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>

#include "support/compose_fixture.h"

namespace clnrm {
namespace {

using clnrm::testing::ComposeFixture;

TEST(ComposeVolumeKeys, BindMountsBelowTheTestDirectoryAreVolumes) {
  ComposeFixture f;
  f.dir.write("static/index.html", "hi");
  f.dir.write("conf/app.conf", "x");
  const ComposeImport r = f.import(
      "services:\n  a:\n    image: x\n    volumes:\n      - ./static:/srv/static:ro\n      - ./conf/app.conf:/etc/app/app.conf\n"
      "      - type: bind\n        source: .\n        target: /work\n        read_only: true\n");
  const toml::table t = toml::parse(r.toml);
  const toml::array* v = t["services"]["a"]["volumes"].as_array();
  ASSERT_TRUE(v) << r.toml;
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].as_table()->at("host_path").value_or(std::string()), "static");
  EXPECT_EQ((*v)[0].as_table()->at("container_path").value_or(std::string()), "/srv/static");
  EXPECT_TRUE((*v)[0].as_table()->at("read_only").value_or(false));
  EXPECT_EQ((*v)[1].as_table()->at("host_path").value_or(std::string()), "conf/app.conf");
  EXPECT_FALSE((*v)[1].as_table()->at("read_only").value_or(true));  // compose's default: read-write
  EXPECT_EQ((*v)[2].as_table()->at("host_path").value_or(std::string()), ".");
  EXPECT_TRUE(r.not_translated.empty());
}

TEST(ComposeVolumeKeys, WhatTheParserRefusesIsNotedWithItsReason) {
  ComposeFixture f;
  f.dir.write("data/x", "x");
  std::filesystem::create_symlink("/etc", f.dir.file("etc-link"));
  const ComposeImport r = f.import(
      "services:\n  a:\n    image: x\n    volumes:\n"
      "      - /var/run/docker.sock:/var/run/docker.sock\n"  // 5: absolute, outside
      "      - ../elsewhere:/x\n"                            // 6: outside
      "      - ./etc-link:/y\n"                              // 7: a link out
      "      - ./data:/proc/x\n"                             // 8: a target the parser refuses
      "      - ~/.ssh:/root/.ssh\n"                          // 9: home
      "      - db-data:/var/lib/db\n"                        // 10: named
      "      - /just/anonymous\n"                            // 11
      "      - type: tmpfs\n        target: /cache\n");     // 12
  EXPECT_EQ(toml::parse(r.toml)["services"]["a"]["volumes"].as_array(), nullptr) << r.toml;
  EXPECT_TRUE(ComposeFixture::noted(r, 5, "a", "volumes", "is outside the test file's directory"));
  EXPECT_TRUE(ComposeFixture::noted(r, 6, "a", "volumes", "is outside the test file's directory"));
  EXPECT_TRUE(ComposeFixture::noted(r, 7, "a", "volumes", "through a symlink")) << ComposeFixture::notes(r)[2];
  EXPECT_TRUE(ComposeFixture::noted(r, 8, "a", "volumes", "/proc")) << ComposeFixture::notes(r)[3];
  EXPECT_TRUE(ComposeFixture::noted(r, 9, "a", "volumes", "the host's home directory"));
  EXPECT_TRUE(ComposeFixture::noted(r, 10, "a", "volumes", "named volume 'db-data'; clnrm has no named volumes"));
  EXPECT_TRUE(ComposeFixture::noted(r, 11, "a", "volumes", "an anonymous volume"));
  EXPECT_TRUE(ComposeFixture::noted(r, 12, "a", "volumes", "type tmpfs at /cache"));
}

TEST(ComposeVolumeKeys, HostPathsAreRelativeToTheTestFilesDirectory) {
  ComposeFixture f;
  f.dir.write("project/tests/static/i.html", "x");
  ComposeImportOptions o;
  const std::string yaml = "services:\n  a:\n    image: x\n    volumes: [\"../static:/s:ro\"]\n";
  o.file = f.dir.write("project/tests/compose/docker-compose.yml", yaml);
  o.output_path = f.dir.file("project/tests/app.clnrm.toml");
  const ComposeImport r = import_compose(yaml, o);
  EXPECT_TRUE(r.not_translated.empty()) << r.toml;
  const toml::table t = toml::parse(r.toml);
  EXPECT_EQ(t["services"]["a"]["volumes"][0]["host_path"].value_or(std::string()), "static") << r.toml;
}

}  // namespace
}  // namespace clnrm
