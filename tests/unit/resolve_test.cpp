// resolve_image from files and the store, without an engine or a registry
// (src/image/resolve.cpp, src/image/file_sources.cpp): OCI layouts,
// docker-archives, OCI archives, paths from a test file, every error a user
// meets. The engine and a real registry: tests/integration/image_*_test.cpp.
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include <sys/stat.h>

#include "image/file_sources.h"
#include "image/store.h"
#include "support/oci_layout_builder.h"
#include "support/tar_builder.h"

namespace clnrm {
namespace {

namespace fs = std::filesystem;
using testing::OciLayoutBuilder;
using testing::TarBuilder;

class ResolveImage : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clnrm-resolve-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/tests");
    options_.cache_dir = root_ + "/cache";
    options_.ownership = {false, 0, 65536};
    options_.pull_policy = PullPolicy::Never;
    TarBuilder(root_ + "/base.tar").dir("./").file("etc/os-release", "ID=clnrm\n").file("bin/sh", "sh", 0755).close();
    TarBuilder(root_ + "/top.tar").file("etc/.wh.os-release", "").file("app/run", "go", 0755).close();
  }
  void TearDown() override { image::remove_tree(root_); }

  std::string error_of(const std::string& ref) {
    try {
      resolve_image(ref, options_);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }
  testing::BuiltImage layout(const std::string& dir, const std::string& tag = "latest") {
    OciLayoutBuilder b(dir);
    auto img = b.image({root_ + "/base.tar", root_ + "/top.tar"}, {{"Cmd", {"/app/run"}}, {"WorkingDir", "/app"}});
    b.index({{img.manifest_digest, tag, ""}});
    return img;
  }

  std::string root_;
  ImageOptions options_;
};

TEST_F(ResolveImage, FromAnOciLayoutLowestLayerFirst) {
  const auto img = layout(root_ + "/tests/img", "v1");
  const ImageRootfs r = resolve_image("oci:" + root_ + "/tests/img:v1", options_);
  EXPECT_EQ(r.manifest_digest, img.manifest_digest);
  ASSERT_EQ(r.layer_dirs.size(), 2u);
  EXPECT_EQ(testing::read_whole(r.layer_dirs[0] + "/etc/os-release"), "ID=clnrm\n");
  EXPECT_TRUE(fs::exists(r.layer_dirs[1] + "/app/run"));
  EXPECT_EQ(r.layer_dirs[0], options_.cache_dir + "/layers/user/" + img.layer_digests[0].substr(7));
  EXPECT_EQ(r.config.cmd, std::vector<std::string>{"/app/run"});
  EXPECT_EQ(r.config.working_dir, "/app");
  // Cached: the same again without the layout's blobs (the store has them).
  fs::remove_all(root_ + "/tests/img/blobs/sha256/" + img.layer_digests[0].substr(7));
  EXPECT_EQ(resolve_image("oci:" + root_ + "/tests/img:v1", options_).layer_dirs, r.layer_dirs);
  ASSERT_EQ(list_images(options_).size(), 1u);
  EXPECT_EQ(list_images(options_)[0].reference, "oci:" + root_ + "/tests/img:v1");
}

TEST_F(ResolveImage, TamperedLayoutBlobIsADigestMismatch) {
  OciLayoutBuilder b(root_ + "/tests/img");
  const auto img = b.image({root_ + "/base.tar"}, {});
  b.index({{img.manifest_digest, "latest", ""}});
  testing::write_whole(b.blob_path(img.layer_digests[0]), "tampered");
  const std::string e = error_of("oci:" + root_ + "/tests/img");
  EXPECT_NE(e.find("digest mismatch for blob " + img.layer_digests[0]), std::string::npos) << e;
  EXPECT_NE(e.find("nothing of it was stored"), std::string::npos) << e;
}

TEST_F(ResolveImage, IndexWithOnlyForeignPlatforms) {
  OciLayoutBuilder b(root_ + "/tests/img");
  const auto img = b.image({root_ + "/base.tar"}, {});
  const std::string nested = b.blob(OciLayoutBuilder::index_json({{img.manifest_digest, "", "linux/riscv64"}}).dump());
  b.index({{nested, "latest", "", "application/vnd.oci.image.index.v1+json"}});
  const std::string e = error_of("oci:" + root_ + "/tests/img:latest");
  EXPECT_NE(e.find("has no image for this machine's platform linux/amd64 (it has: linux/riscv64)"), std::string::npos) << e;
}

TEST_F(ResolveImage, UnknownTagListsTheLayoutsTags) {
  layout(root_ + "/tests/img", "v1");
  const std::string e = error_of("oci:" + root_ + "/tests/img:v2");
  EXPECT_NE(e.find("has no image for tag 'v2' (its tags: v1)"), std::string::npos) << e;
}

TEST_F(ResolveImage, UnsupportedLayerMediaType) {
  OciLayoutBuilder b(root_ + "/tests/img");
  const auto img = b.image({root_ + "/base.tar"}, {}, "application/vnd.example.squashfs");
  b.index({{img.manifest_digest, "latest", ""}});
  const std::string e = error_of("oci:" + root_ + "/tests/img");
  EXPECT_NE(e.find("has the unsupported media type 'application/vnd.example.squashfs'"), std::string::npos) << e;
}

TEST_F(ResolveImage, EscapingLayerNamesTheLayerAndTheEntry) {
  TarBuilder(root_ + "/evil.tar").file("../../etc/cron.d/evil", "* * * * * root sh").close();
  OciLayoutBuilder b(root_ + "/tests/img");
  const auto img = b.image({root_ + "/evil.tar"}, {});
  b.index({{img.manifest_digest, "latest", ""}});
  const std::string e = error_of("oci:" + root_ + "/tests/img");
  EXPECT_NE(e.find("layer 1 of image oci:" + root_ + "/tests/img (" + img.layer_digests[0] +
                   ") has an entry with an escaping path, '../../etc/cron.d/evil'"),
            std::string::npos) << e;
  EXPECT_FALSE(fs::exists(options_.cache_dir + "/layers/user/" + img.layer_digests[0].substr(7)));
}

TEST_F(ResolveImage, FromADockerArchive) {
  testing::write_docker_archive(root_ + "/tests/busy.tar", {root_ + "/base.tar", root_ + "/top.tar"},
                                {{"Entrypoint", {"/bin/sh"}}}, "clnrm-test/x:1");
  const ImageRootfs r = resolve_image("docker-archive:" + root_ + "/tests/busy.tar", options_);
  ASSERT_EQ(r.layer_dirs.size(), 2u);
  EXPECT_TRUE(fs::exists(r.layer_dirs[0] + "/bin/sh"));
  EXPECT_EQ(r.config.entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(resolve_image("docker-archive:" + root_ + "/tests/busy.tar:clnrm-test/x:1", options_).manifest_digest,
            r.manifest_digest);
  EXPECT_NE(error_of("docker-archive:" + root_ + "/tests/busy.tar:other:2").find("none is tagged 'other:2' (its tags: clnrm-test/x:1)"),
            std::string::npos);
}

TEST_F(ResolveImage, FromAnOciArchive) {
  const auto img = layout(root_ + "/layout");
  {
    TarBuilder tar(root_ + "/tests/img.tar");
    for (const auto& e : fs::recursive_directory_iterator(root_ + "/layout"))
      if (e.is_regular_file())
        tar.file(fs::relative(e.path(), root_ + "/layout").string(), testing::read_whole(e.path().string()));
  }
  const ImageRootfs r = resolve_image("oci-archive:" + root_ + "/tests/img.tar", options_);
  EXPECT_EQ(r.manifest_digest, img.manifest_digest);
  EXPECT_EQ(r.layer_dirs.size(), 2u);
}

TEST_F(ResolveImage, TestFilePathsStayInTheTestFilesDirectory) {
  layout(root_ + "/tests/img");
  layout(root_ + "/elsewhere");
  fs::create_directory_symlink(root_ + "/elsewhere", root_ + "/tests/link");
  options_.base_dir = root_ + "/tests";
  EXPECT_EQ(resolve_image("oci:img", options_).layer_dirs.size(), 2u);
  EXPECT_EQ(resolve_image("oci:img/", options_).layer_dirs.size(), 2u);
  // The one host-path rule (src/spec/host_paths.h), in its words.
  const std::string absolute = error_of("oci:" + root_ + "/elsewhere");
  EXPECT_NE(absolute.find("image 'oci:" + root_ + "/elsewhere': the image file \"" + root_ +
                          "/elsewhere\" is absolute: give a path inside the test file's directory, relative to it "
                          "and without '..'"),
            std::string::npos)
      << absolute;
  EXPECT_NE(error_of("oci:../elsewhere").find("the image file \"../elsewhere\" has a '..' component"),
            std::string::npos);
  const std::string e = error_of("oci:link");
  EXPECT_NE(e.find("the image file 'link' leads outside the test file's directory (through a symlink, to " + root_ +
                   "/elsewhere)"),
            std::string::npos)
      << e;
  EXPECT_NE(error_of("oci:missing").find("the image file 'missing' does not exist next to the test file"),
            std::string::npos);
  // Never a host tree like /dev, even through a link inside the directory.
  fs::create_directory_symlink("/dev", root_ + "/tests/devices");
  EXPECT_NE(error_of("docker-archive:devices/null").find("leads outside the test file's directory"), std::string::npos);
  fs::create_symlink("/dev/null", root_ + "/tests/null.tar");
  EXPECT_NE(error_of("docker-archive:null.tar").find("leads outside"), std::string::npos);
}

TEST(ImageFilePath, ASocketOrFifoInTheDirectoryIsRefused) {
  char tmpl[] = "/tmp/clnrm-imgpath-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  ASSERT_EQ(::mkfifo((dir + "/fifo.tar").c_str(), 0600), 0);
  try {
    image::resolve_file_path("fifo.tar", dir, "docker-archive:fifo.tar");
    ADD_FAILURE() << "accepted a fifo";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("image 'docker-archive:fifo.tar': the image file 'fifo.tar' is neither a "
                                           "directory nor a regular file"),
              std::string::npos)
        << err.what();
  }
  fs::remove_all(dir);
}

TEST_F(ResolveImage, LayoutSymlinksAreNotFollowed) {
  const auto img = layout(root_ + "/tests/img");
  const std::string blob = root_ + "/tests/img/blobs/sha256/" + img.layer_digests[0].substr(7);
  fs::remove(blob);
  fs::create_symlink("/etc/passwd", blob);
  const std::string e = error_of("oci:" + root_ + "/tests/img");
  EXPECT_NE(e.find("symbolic links are not followed in an image"), std::string::npos) << e;
}

TEST_F(ResolveImage, NotFoundSaysWhereItLookedAndWhatToDo) {
  options_.offline = true;
  options_.pull_policy = PullPolicy::Always;
  const std::string e = error_of("clnrm-test/nowhere:1");
  EXPECT_NE(e.find("image 'clnrm-test/nowhere:1' not found. Looked in: (1) the local engine was not consulted"),
            std::string::npos) << e;
  EXPECT_NE(e.find("(2) the image cache " + options_.cache_dir + " has no clnrm-test/nowhere:1"), std::string::npos) << e;
  EXPECT_NE(e.find("(3) the registry https://registry-1.docker.io was not asked (offline)"), std::string::npos) << e;
  EXPECT_NE(e.find("--image-map"), std::string::npos) << e;
}

TEST_F(ResolveImage, AnEngineThatDoesNotAnswerIsListedAndOfflineSkipsATcpOne) {
  options_.engine = {"", "http://127.0.0.1:1", "tcp://127.0.0.1:1 (from --docker-host)"};
  std::string e = error_of("clnrm-test/nowhere:1");
  EXPECT_NE(e.find("(1) the engine at tcp://127.0.0.1:1 (from --docker-host) did not answer"), std::string::npos) << e;
  options_.offline = true;
  e = error_of("clnrm-test/nowhere:1");
  EXPECT_NE(e.find("(1) the engine at tcp://127.0.0.1:1 (from --docker-host) was not asked (offline, and it is not a "
                   "unix socket)"),
            std::string::npos) << e;
}

TEST_F(ResolveImage, ImageMapAppliesFirst) {
  layout(root_ + "/tests/img");
  options_.image_map = parse_image_map("alpine:latest=oci:" + root_ + "/tests/img").value();
  EXPECT_EQ(resolve_image("alpine", options_).layer_dirs.size(), 2u);
}

TEST_F(ResolveImage, RemoveAndPrune) {
  const auto img = layout(root_ + "/tests/img");
  const std::string ref = "oci:" + root_ + "/tests/img";
  resolve_image(ref, options_);
  EXPECT_TRUE(remove_image(ref, options_));
  EXPECT_FALSE(remove_image(ref, options_));
  EXPECT_TRUE(list_images(options_).empty());
  const PruneResult p = prune_images(options_);
  EXPECT_EQ(p.layers_removed, 2u);
  EXPECT_EQ(p.blobs_removed, 4u);  // 2 layers, config, manifest
  EXPECT_TRUE(fs::is_empty(options_.cache_dir + "/layers/user"));
}

// docs/images.md, "Size limits": a decompression bomb names its layer's
// digest and the cap, and leaves nothing in the cache a later run trusts.
TEST_F(ResolveImage, ALayerOverTheLayerLimitIsRefusedAndNothingOfItStays) {
  TarBuilder(root_ + "/bomb.tar", /*gzip=*/true).file("zeros", std::string(1 << 20, '\0')).close();
  OciLayoutBuilder b(root_ + "/tests/img");
  const auto img = b.image({root_ + "/base.tar", root_ + "/bomb.tar"}, {});
  b.index({{img.manifest_digest, "latest", ""}});
  options_.limits.max_layer_bytes = 64 << 10;
  const std::string ref = "oci:" + root_ + "/tests/img";
  const std::string e = error_of(ref);
  EXPECT_NE(e.find(fmt::format("layer 2 of image {} ({}) unpacks to more than 65536 bytes, the limit of 64 KiB per layer",
                               ref, img.layer_digests[1])),
            std::string::npos)
      << e;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(options_.cache_dir + "/layers/user"))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  const std::string base = img.layer_digests[0].substr(7);
  EXPECT_EQ(names, (std::vector<std::string>{base, base + ".bytes", base + ".entries"}));  // no bomb layer, no temp dir
  EXPECT_EQ(image::Store::layer_bytes(options_.cache_dir + "/layers/user/" + base), 11u);
  // The same again: refused again, not taken from the cache.
  EXPECT_EQ(error_of(ref), e);
}

TEST_F(ResolveImage, AnImageOverItsLimitIsRefusedWhateverTheCacheHolds) {
  const auto img = layout(root_ + "/tests/img");  // layers of 11 and 2 bytes
  const std::string ref = "oci:" + root_ + "/tests/img";
  options_.limits.max_image_bytes = 12;
  const std::string expected = fmt::format(
      "layer 2 of image {} ({}) unpacks to more than 1 bytes, what is left of the limit of 12 bytes per image after "
      "its layers below it",
      ref, img.layer_digests[1]);
  EXPECT_NE(error_of(ref).find(expected), std::string::npos) << error_of(ref);
  options_.limits.max_image_bytes = 13;
  EXPECT_EQ(resolve_image(ref, options_).layer_dirs.size(), 2u);
  // Both layers cached now: the cap still holds.
  options_.limits.max_image_bytes = 12;
  EXPECT_NE(error_of(ref).find(expected), std::string::npos) << error_of(ref);
}

TEST_F(ResolveImage, ALayerWithTooManyEntriesIsRefused) {
  const auto img = layout(root_ + "/tests/img");
  options_.limits.max_layer_entries = 2;  // base.tar has 3
  const std::string e = error_of("oci:" + root_ + "/tests/img");
  EXPECT_NE(e.find(fmt::format("({}) has more than 2 entries, the limit per layer", img.layer_digests[0])),
            std::string::npos)
      << e;
}

// A layer already in the cache (unpacked under larger caps, by a runner
// sharing the store, or by a clnrm that kept no entry count) is held to the
// entry cap as a fresh unpack is.
TEST_F(ResolveImage, ACachedLayerWithTooManyEntriesIsRefusedWhateverTheCacheHolds) {
  const auto img = layout(root_ + "/tests/img");
  const std::string ref = "oci:" + root_ + "/tests/img";
  ASSERT_EQ(resolve_image(ref, options_).layer_dirs.size(), 2u);  // both layers cached now
  const std::string expected =
      fmt::format("({}) has more than 2 entries, the limit per layer", img.layer_digests[0]);
  options_.limits.max_layer_entries = 2;  // base.tar has 3
  EXPECT_NE(error_of(ref).find(expected), std::string::npos) << error_of(ref);
  // Its count file gone (an older clnrm unpacked it): counted again, refused again.
  const std::string layer_dir = options_.cache_dir + "/layers/user/" + img.layer_digests[0].substr(7);
  fs::remove(layer_dir + ".entries");
  EXPECT_NE(error_of(ref).find(expected), std::string::npos) << error_of(ref);
  EXPECT_EQ(testing::read_whole(layer_dir + ".entries"), "3");
  options_.limits.max_layer_entries = 3;
  EXPECT_EQ(resolve_image(ref, options_).layer_dirs.size(), 2u);
}

TEST(PullPolicy, ParsesTheThreeNames) {
  EXPECT_EQ(*parse_pull_policy("never"), PullPolicy::Never);
  EXPECT_EQ(*parse_pull_policy("always"), PullPolicy::Always);
  EXPECT_EQ(parse_pull_policy("sometimes").error(), "unknown pull policy 'sometimes' (never, missing or always)");
  EXPECT_EQ(to_string(PullPolicy::Missing), "missing");
}

}  // namespace
}  // namespace clnrm
