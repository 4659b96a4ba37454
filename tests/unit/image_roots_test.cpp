// Image roots: the image config applied to a process, and files read from
// layer directories as the overlay shows them.
#include "backend/sandbox/image_roots.h"

#include <clnrm/error.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace clnrm::sandbox {
namespace {

ImageRoot sample_root() {
  ImageRoot root;
  root.service = "db";
  root.image.reference = "example:1";
  root.image.layer_dirs = {"/layers/a", "/layers/b"};
  root.image.config.entrypoint = {"/entry.sh"};
  root.image.config.cmd = {"serve", "--port", "5000"};
  root.image.config.env = {"PATH=/opt/bin:/bin", "MODE=image", "bad"};
  root.image.config.working_dir = "/srv";
  root.image.config.exposed_tcp_ports = {5000, 0, 70000};
  root.mount_point = "/.clnrm/image/0";
  return root;
}

TEST(ImageRoots, ServiceWithoutArgsRunsEntrypointAndCmd) {
  ProcessSpec spec;
  spec.name = "db";
  const ProcessSpec p = image_process(sample_root(), spec, true);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"/entry.sh", "serve", "--port", "5000"}));
  EXPECT_EQ(p.workdir, "/srv");
}

TEST(ImageRoots, ArgsReplaceCmdAndKeepEntrypoint) {
  ProcessSpec spec;
  spec.argv = {"migrate"};
  EXPECT_EQ(image_process(sample_root(), spec, true).argv, (std::vector<std::string>{"/entry.sh", "migrate"}));
  // A step inside the service runs its own argv as given.
  EXPECT_EQ(image_process(sample_root(), spec, false).argv, (std::vector<std::string>{"migrate"}));
}

TEST(ImageRoots, TestEnvGoesOnTopOfTheImagesEnv) {
  ProcessSpec spec;
  spec.env = {{"MODE", "test"}, {"EXTRA", "1"}};
  const EnvList env = image_process(sample_root(), spec, true).env;
  const EnvList expected = {{"PATH", "/opt/bin:/bin"}, {"MODE", "test"}, {"EXTRA", "1"}};
  EXPECT_EQ(env, expected);
}

TEST(ImageRoots, RelativeWorkdirIsUnderTheImagesWorkingDir) {
  ProcessSpec spec;
  spec.workdir = "data";
  EXPECT_EQ(image_process(sample_root(), spec, true).workdir, "/srv/data");
  ImageRoot bare = sample_root();
  bare.image.config.working_dir.clear();
  EXPECT_EQ(image_process(bare, ProcessSpec{}, true).workdir, "/");
}

TEST(ImageRoots, NothingToRunIsAConfigError) {
  ImageRoot root = sample_root();
  root.image.config.entrypoint.clear();
  root.image.config.cmd.clear();
  try {
    image_process(root, ProcessSpec{}, true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("no Entrypoint or Cmd"), std::string::npos) << e.what();
  }
}

TEST(ImageRoots, ExecPlanEntersTheRootWritableAsTheImagesUser) {
  ImageRoot root = sample_root();
  root.uid = 1000;
  root.gid = 1001;
  const ExecPlan plan = make_image_exec_plan(root, ProcessSpec{}, true, "t", "/tmp/work");
  EXPECT_EQ(plan.rootfs, "/.clnrm/image/0");
  EXPECT_TRUE(plan.rootfs_writable);
  EXPECT_EQ(plan.uid, 1000);
  EXPECT_EQ(plan.gid, 1001);
  EXPECT_EQ(plan.workdir, "/srv");
  // The image's PATH is searched.
  EXPECT_EQ(plan.candidates.front(), "/entry.sh");
  EXPECT_EQ(image_ready_ports(root), (std::vector<std::uint16_t>{5000}));
}

TEST(ImageRoots, MountStacksTheLayersTopFirst) {
  const ImageMount mount = image_mount(sample_root());
  EXPECT_EQ(mount.lower, "/layers/b:/layers/a");
  EXPECT_EQ(mount.mount_point, "/.clnrm/image/0");
  EXPECT_EQ(mount.workdir, "/srv");
}

class Layers : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::path("/var/tmp") / ("clnrm-image-roots-" + std::to_string(::getpid()));
    for (const char* layer : {"low", "high"}) std::filesystem::create_directories(base_ / layer / "etc");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  std::string layer(const char* name) const { return (base_ / name).string(); }
  void write(const char* layer_name, const char* path, const char* text) const {
    std::ofstream(base_ / layer_name / path) << text;
  }
  std::vector<std::string> layers() const { return {layer("low"), layer("high")}; }
  std::filesystem::path base_;
};

TEST_F(Layers, TopmostLayerWins) {
  write("low", "etc/passwd", "low\n");
  EXPECT_EQ(read_image_file(layers(), "etc/passwd"), "low\n");
  write("high", "etc/passwd", "high\n");
  EXPECT_EQ(read_image_file(layers(), "etc/passwd"), "high\n");
  EXPECT_EQ(read_image_file(layers(), "etc/group"), std::nullopt);
}

TEST_F(Layers, WhiteoutAndOpaqueDirectoryHideLowerFiles) {
  write("low", "etc/passwd", "low\n");
  ASSERT_EQ(::mknod((layer("high") + "/etc/passwd").c_str(), S_IFCHR | 0600, makedev(0, 0)), 0);
  EXPECT_EQ(read_image_file(layers(), "etc/passwd"), std::nullopt);
  ::unlink((layer("high") + "/etc/passwd").c_str());
  ASSERT_EQ(::setxattr((layer("high") + "/etc").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
  EXPECT_EQ(read_image_file(layers(), "etc/passwd"), std::nullopt);
}

TEST_F(Layers, SymbolicLinksAreNeverFollowedToTheHost) {
  std::filesystem::remove_all(layer("high") + "/etc");
  std::filesystem::create_directory_symlink("/etc", layer("high") + "/etc");
  EXPECT_EQ(read_image_file(layers(), "etc/passwd"), std::nullopt);
  std::filesystem::create_symlink("/etc/passwd", layer("low") + "/etc/group");
  EXPECT_EQ(read_image_file({layer("low")}, "etc/group"), std::nullopt);
}

}  // namespace
}  // namespace clnrm::sandbox
