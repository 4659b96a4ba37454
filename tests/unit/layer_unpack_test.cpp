// Layers unpacked safely (src/image/layer_unpack.cpp): hand-built malicious
// tarballs, whiteouts, owners, modes.
#include "image/layer_unpack.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/oci_layout_builder.h"
#include "support/tar_builder.h"

namespace clnrm::image {
namespace {

namespace fs = std::filesystem;
using testing::TarBuilder;

class LayerUnpack : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clnrm-unpack-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/layer");
    fs::create_directories(root_ + "/outside");
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string tar() const { return root_ + "/layer.tar"; }
  std::string layer() const { return root_ + "/layer"; }
  // The error message of unpacking tar() (empty: it unpacked).
  std::string unpack_error(LayerOwnership o = privileged()) {
    try {
      unpack_layer(tar(), layer(), o, "layer 1 of test:1");
      return {};
    } catch (const Error& e) {
      return e.what();
    }
  }
  static LayerOwnership privileged() { return {true, 100000, 65536}; }
  static LayerOwnership unprivileged() { return {false, 0, 65536}; }
  bool outside_empty() const { return fs::is_empty(root_ + "/outside"); }

  std::string root_;
};

TEST_F(LayerUnpack, UnpacksFilesDirectoriesLinksWithShiftedOwners) {
  TarBuilder(tar())
      .dir("./")
      .dir("etc", 0755)
      .file("etc/hosts", "127.0.0.1 localhost\n", 0640, 5, 6)
      .symlink("etc/link", "/etc/hosts")
      .hardlink("etc/hosts2", "etc/hosts")
      .file("bin/tool", "#!/bin/sh\n", 04755)
      .close();
  ASSERT_EQ(unpack_error(), "");
  EXPECT_EQ(testing::read_whole(layer() + "/etc/hosts"), "127.0.0.1 localhost\n");
  struct stat st {};
  ASSERT_EQ(::lstat((layer() + "/etc/hosts").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100005u);
  EXPECT_EQ(st.st_gid, 100006u);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(fs::read_symlink(layer() + "/etc/link"), "/etc/hosts");
  ASSERT_EQ(::lstat((layer() + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u) << "setuid kept when owners are shifted into the pod's range";
  ASSERT_EQ(::lstat(layer().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000u) << "the layer's root belongs to the pod's root";
}

TEST_F(LayerUnpack, UnprivilegedDropsSetuidAndDoesNotChown) {
  TarBuilder(tar()).file("bin/tool", "x", 06755, 5, 5).close();
  ASSERT_EQ(unpack_error(unprivileged()), "");
  struct stat st {};
  ASSERT_EQ(::lstat((layer() + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST_F(LayerUnpack, RefusesAbsolutePaths) {
  TarBuilder(tar()).file("/etc/evil", "x").close();
  const std::string e = unpack_error();
  EXPECT_NE(e.find("layer 1 of test:1 has an entry with an escaping path, '/etc/evil': it is an absolute path"), std::string::npos) << e;
  EXPECT_NE(e.find("rebuild it from a trusted base"), std::string::npos) << e;
}

TEST_F(LayerUnpack, RefusesDotDot) {
  for (const char* name : {"../outside/evil", "a/../../outside/evil", "a/.."}) {
    fs::remove(tar());
    TarBuilder(tar()).file(name, "x").close();
    const std::string e = unpack_error();
    EXPECT_NE(e.find("escaping path"), std::string::npos) << name << ": " << e;
    EXPECT_NE(e.find("'..'"), std::string::npos) << e;
  }
  EXPECT_TRUE(outside_empty());
}

TEST_F(LayerUnpack, RefusesWritingThroughASymlinkedParent) {
  TarBuilder(tar()).symlink("link", root_ + "/outside").file("link/evil", "x").close();
  const std::string e = unpack_error();
  EXPECT_NE(e.find("'link/evil': its parent 'link' is a symbolic link"), std::string::npos) << e;
  EXPECT_TRUE(outside_empty());
  fs::remove_all(layer());
  fs::create_directories(layer());
  fs::remove(tar());
  TarBuilder(tar()).symlink("up", "..").file("up/outside/evil", "x").close();
  EXPECT_NE(unpack_error().find("is a symbolic link"), std::string::npos);
  EXPECT_TRUE(outside_empty());
}

TEST_F(LayerUnpack, DirectoryMetadataNeverFollowsAParentReplacedByASymlink) {
  // "a/b" is made, then "a" becomes a symlink out of the layer: the mode and
  // owner of "a/b" (applied at the end) must not land on outside/b.
  fs::create_directories(root_ + "/outside/b");
  fs::permissions(root_ + "/outside/b", fs::perms::owner_all);
  TarBuilder(tar()).dir("a/b", 0777, 7, 7).symlink("a", root_ + "/outside").close();
  ASSERT_EQ(unpack_error(), "");
  struct stat st {};
  ASSERT_EQ(::lstat((root_ + "/outside/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_TRUE(fs::is_symlink(layer() + "/a"));
}

TEST_F(LayerUnpack, HardLinksOnlyToEntriesOfTheSameLayer) {
  TarBuilder(tar()).hardlink("passwd", "/etc/passwd").close();
  EXPECT_NE(unpack_error().find("escaping path, 'passwd': it is a hard link to '/etc/passwd'"), std::string::npos);
  fs::remove(tar());
  TarBuilder(tar()).hardlink("x", "../outside/f").close();
  EXPECT_NE(unpack_error().find("escaping path"), std::string::npos);
  fs::remove(tar());
  TarBuilder(tar()).hardlink("x", "not-here").close();
  EXPECT_NE(unpack_error().find("'x': it is a hard link to 'not-here', which is not an earlier entry of the same layer"),
            std::string::npos);
  fs::remove(tar());
  TarBuilder(tar()).symlink("l", root_ + "/outside").hardlink("x", "l/f").close();
  EXPECT_NE(unpack_error().find("is a symbolic link"), std::string::npos);
}

TEST_F(LayerUnpack, RefusesDeviceNodes) {
  TarBuilder(tar()).device("dev/mem", false, 1, 1).close();
  const std::string e = unpack_error();
  EXPECT_NE(e.find("refuses, 'dev/mem': it is a device node (character, 1:1)"), std::string::npos) << e;
  EXPECT_NE(e.find("Rebuild the image without it"), std::string::npos) << e;
}

TEST_F(LayerUnpack, RefusesOwnersOutsideThePodsIds) {
  TarBuilder(tar()).file("f", "x", 0644, 70000, 0).close();
  EXPECT_NE(unpack_error().find("owned by 70000:0, outside the 65536 user and group ids a pod has"), std::string::npos);
}

TEST_F(LayerUnpack, WhiteoutsBecomeOverlayfsWhiteouts) {
  TarBuilder(tar()).dir("etc").file("etc/.wh.gone", "").dir("var").file("var/.wh..wh..opq", "").close();
  ASSERT_EQ(unpack_error(), "");
  struct stat st {};
  ASSERT_EQ(::lstat((layer() + "/etc/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(layer() + "/etc/.wh.gone"));
  char value[8] = {};
  EXPECT_EQ(::getxattr((layer() + "/var").c_str(), "trusted.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');
  // The mark the sandbox's `userxattr` overlay reads (docs/SANDBOX.md, "Image pods").
  value[0] = 0;
  EXPECT_EQ(::getxattr((layer() + "/var").c_str(), "user.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_FALSE(fs::exists(layer() + "/var/.wh..wh..opq"));
}

TEST_F(LayerUnpack, UnprivilegedOpaqueDirectoriesUseUserXattrs) {
  TarBuilder(tar()).dir("var").file("var/.wh..wh..opq", "").close();
  ASSERT_EQ(unpack_error(unprivileged()), "");
  char value[8] = {};
  EXPECT_EQ(::getxattr((layer() + "/var").c_str(), "user.overlay.opaque", value, sizeof value), 1);
  EXPECT_LT(::getxattr((layer() + "/var").c_str(), "trusted.overlay.opaque", value, sizeof value), 0);
}

TEST_F(LayerUnpack, RefusesWhiteoutsThatNameNoEntry) {
  TarBuilder(tar()).file(".wh...", "").close();
  EXPECT_NE(unpack_error().find("its whiteout names no entry"), std::string::npos);
}

TEST_F(LayerUnpack, ReadsGzipLayersAndLaterEntriesWin) {
  TarBuilder(tar(), /*gzip=*/true).file("a", "first").file("a", "second").symlink("b", "a").file("b", "plain").close();
  ASSERT_EQ(unpack_error(), "");
  EXPECT_EQ(testing::read_whole(layer() + "/a"), "second");
  EXPECT_FALSE(fs::is_symlink(layer() + "/b"));
  EXPECT_EQ(testing::read_whole(layer() + "/b"), "plain");
}

TEST_F(LayerUnpack, NotATarIsAClearError) {
  testing::write_whole(tar(), "this is not a tar archive at all, just text that goes on for a while ........");
  const std::string e = unpack_error();
  EXPECT_NE(e.find("layer 1 of test:1 is not a readable tar layer"), std::string::npos) << e;
}

}  // namespace
}  // namespace clnrm::image

// Size limits (docs/images.md, "Size limits"): a decompression bomb is a
// layer like any other. A kilobyte of gzip expands to the megabyte below.
namespace clnrm::image {
namespace {

TEST_F(LayerUnpack, ReturnsTheBytesOfItsRegularFilesAndItsEntries) {
  TarBuilder(tar()).dir("etc").file("etc/a", "12345").file("etc/b", "678").hardlink("etc/c", "etc/a").close();
  const UnpackedLayer unpacked = unpack_layer(tar(), layer(), unprivileged(), "layer 1 of test:1");
  EXPECT_EQ(unpacked.bytes, 8u);
  EXPECT_EQ(unpacked.entries, 4u);
  // Counted without unpacking: the same tar entries.
  EXPECT_EQ(count_layer_entries(tar(), "layer 1 of test:1"), 4u);
}

TEST_F(LayerUnpack, RefusesMoreBytesThanItsLimitNamingTheLayerAndTheLimit) {
  TarBuilder(tar(), /*gzip=*/true).file("small", "ok").file("bomb", std::string(1 << 20, '\0')).close();
  ASSERT_LT(fs::file_size(tar()), 8u << 10);
  UnpackLimits limits;
  limits.max_bytes = 64 << 10;
  limits.bytes_cap = "the limit of 64 KiB per layer";
  try {
    unpack_layer(tar(), layer(), unprivileged(), "layer 1 of test:1 (sha256:abc)", limits);
    FAIL() << "unpacked";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("layer 1 of test:1 (sha256:abc) unpacks to more than 65536 bytes, the limit of 64 KiB per "
                     "layer; clnrm refuses it as a possible decompression bomb"),
              std::string::npos)
        << m;
  }
  // The size its header declares is refused before the data is written.
  EXPECT_FALSE(fs::exists(layer() + "/bomb")) << "the file was created";
}

TEST_F(LayerUnpack, RefusesMoreEntriesThanItsLimit) {
  TarBuilder b(tar());
  for (int i = 0; i < 20; ++i) b.file("f" + std::to_string(i), "");
  b.close();
  UnpackLimits limits;
  limits.max_entries = 10;
  try {
    unpack_layer(tar(), layer(), unprivileged(), "layer 1 of test:1", limits);
    FAIL() << "unpacked";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 1 of test:1 has more than 10 entries, the limit per layer"),
              std::string::npos)
        << e.what();
  }
  limits.max_entries = 20;
  fs::remove_all(layer());
  fs::create_directories(layer());
  const UnpackedLayer unpacked = unpack_layer(tar(), layer(), unprivileged(), "layer 1 of test:1", limits);
  EXPECT_EQ(unpacked.bytes, 0u);
  EXPECT_EQ(unpacked.entries, 20u);
}

TEST(FormatSize, NamesWholeUnits) {
  EXPECT_EQ(format_size(std::uint64_t{4} << 30), "4 GiB");
  EXPECT_EQ(format_size(64 << 20), "64 MiB");
  EXPECT_EQ(format_size(2048), "2 KiB");
  EXPECT_EQ(format_size(1000), "1000 bytes");
}

}  // namespace
}  // namespace clnrm::image
