// The image store against real sources (src/image/): the running engine's
// clnrm-test/busybox exported through the Engine API, a `docker save`
// archive and its skopeo OCI layout, and a real registry on loopback
// (Debian's docker-registry, tests/support/loopback_registry.h) with the
// engine NOT consulted, under each pull policy. Nothing is skipped: a
// missing engine, registry or skopeo fails with what to run.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "image/store.h"
#include "integration/docker_support.h"
#include "support/loopback_registry.h"
#include "support/oci_layout_builder.h"
#include "support/run_command.h"
#include "support/tar_builder.h"

namespace clnrm {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

class ImageSources : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clnrm-images-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    options_.cache_dir = root_ + "/cache";
    options_.ownership = {true, 2000000000, 65536};  // a root runner's pods (sandbox.h pod_id_base)
  }
  void TearDown() override { image::remove_tree(root_); }

  // The layer (highest first, as overlayfs sees it) that has `path`.
  static std::string find_in_layers(const ImageRootfs& r, const std::string& path) {
    for (auto it = r.layer_dirs.rbegin(); it != r.layer_dirs.rend(); ++it)
      if (fs::exists(fs::symlink_status(*it + "/" + path))) return *it + "/" + path;
    return {};
  }
  std::string error_of(const std::string& ref) {
    try {
      resolve_image(ref, options_);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }
  // A busybox image built without any engine: an OCI layout in `dir` tagged
  // `latest`, the host's static busybox as /bin/busybox and /bin/sh.
  void busybox_layout(const std::string& dir) {
    testing::TarBuilder(root_ + "/bb.tar")
        .dir("bin")
        .file("bin/busybox", testing::read_whole("/bin/busybox"), 0755)
        .symlink("bin/sh", "busybox")
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        .close();
    testing::OciLayoutBuilder b(dir);
    const auto img = b.image({root_ + "/bb.tar"}, {{"Cmd", {"/bin/sh"}}});
    b.index({{img.manifest_digest, "latest", ""}});
  }

  std::string root_;
  ImageOptions options_;
};

TEST_F(ImageSources, EngineImageIsExportedThenTakenFromTheCache) {
  ASSERT_TRUE(testing_docker::require_engine());
  options_.engine = docker_image_engine();
  ASSERT_FALSE(options_.engine.base_url.empty());
  const ImageRootfs r = resolve_image(testing_docker::kBusybox, options_);
  ASSERT_FALSE(r.layer_dirs.empty());
  const std::string busybox = find_in_layers(r, "bin/busybox");
  ASSERT_FALSE(busybox.empty());
  struct stat st {};
  ASSERT_EQ(::lstat(busybox.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 2000000000u) << "owned by the pod's root";
  const auto images = list_images(options_);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].reference, "clnrm-test/busybox:latest");
  EXPECT_EQ(images[0].source.rfind("engine ", 0), 0u) << images[0].source;
  // Unchanged in the engine: the store's copy (same image id), no export.
  const auto blob_count = [&] {
    return std::distance(fs::directory_iterator(options_.cache_dir + "/blobs/sha256"), fs::directory_iterator());
  };
  const auto before = blob_count();
  EXPECT_EQ(resolve_image(testing_docker::kBusybox, options_).layer_dirs, r.layer_dirs);
  EXPECT_EQ(blob_count(), before);
  EXPECT_TRUE(fs::is_empty(options_.cache_dir + "/tmp")) << "no export left behind";
}

TEST_F(ImageSources, DockerSaveArchiveAndItsSkopeoLayoutGiveTheSameFiles) {
  ASSERT_TRUE(testing_docker::require_engine());
  const std::string tar = root_ + "/busybox.tar";
  auto saved = run_command("docker save " + std::string(testing_docker::kBusybox) + " -o " + tar + " 2>&1");
  ASSERT_EQ(saved.exit_code, 0) << saved.out;
  auto copied = run_command("skopeo copy --quiet --insecure-policy docker-archive:" + tar + " oci:" + root_ +
                            "/layout:latest 2>&1");
  ASSERT_EQ(copied.exit_code, 0) << copied.out;
  const ImageRootfs from_archive = resolve_image("docker-archive:" + tar, options_);
  const ImageRootfs from_layout = resolve_image("oci:" + root_ + "/layout:latest", options_);
  const std::string a = find_in_layers(from_archive, "bin/busybox");
  const std::string b = find_in_layers(from_layout, "bin/busybox");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(testing::read_whole(a), testing::read_whole(b));
  EXPECT_EQ(fs::read_symlink(find_in_layers(from_layout, "bin/sh")), "busybox");
}

TEST_F(ImageSources, RegistryUnderEachPullPolicyWithTheEngineNotConsulted) {
  busybox_layout(root_ + "/layout");
  testing::LoopbackRegistry registry(root_ + "/registry");
  registry.push("oci:" + root_ + "/layout:latest", "clnrm-test/bb:1");
  const std::string ref = registry.host() + "/clnrm-test/bb:1";
  options_.engine = {};  // not consulted

  options_.pull_policy = PullPolicy::Never;
  std::string e = error_of(ref);
  EXPECT_NE(e.find("the registry http://" + registry.host() + " was not asked (pull policy never)"), std::string::npos) << e;

  options_.pull_policy = PullPolicy::Missing;
  const ImageRootfs pulled = resolve_image(ref, options_);
  EXPECT_FALSE(find_in_layers(pulled, "bin/busybox").empty());
  EXPECT_EQ(pulled.config.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(list_images(options_).at(0).source, "registry http://" + registry.host());

  // By digest, too.
  EXPECT_EQ(resolve_image(registry.host() + "/clnrm-test/bb@" + pulled.manifest_digest, options_).layer_dirs,
            pulled.layer_dirs);
  options_.pull_policy = PullPolicy::Always;
  EXPECT_EQ(resolve_image(ref, options_).manifest_digest, pulled.manifest_digest);

  // Unknown in the registry: listed among the places looked.
  options_.pull_policy = PullPolicy::Missing;
  e = error_of(registry.host() + "/clnrm-test/absent:1");
  EXPECT_NE(e.find("the registry http://" + registry.host() + " has no " + registry.host() + "/clnrm-test/absent:1"),
            std::string::npos) << e;

  registry.stop();
  // Cached: missing, never and offline need no registry; always does.
  EXPECT_EQ(resolve_image(ref, options_).manifest_digest, pulled.manifest_digest);
  options_.pull_policy = PullPolicy::Never;
  EXPECT_EQ(resolve_image(ref, options_).manifest_digest, pulled.manifest_digest);
  options_.pull_policy = PullPolicy::Always;
  e = error_of(ref);
  EXPECT_NE(e.find("the registry http://" + registry.host() + " cannot be reached"), std::string::npos) << e;
  options_.offline = true;
  EXPECT_EQ(resolve_image(ref, options_).manifest_digest, pulled.manifest_digest);
}

TEST_F(ImageSources, RegistryIndexResolvesToThisMachinesPlatform) {
  testing::TarBuilder(root_ + "/amd.tar").file("arch", "amd64").close();
  testing::TarBuilder(root_ + "/arm.tar").file("arch", "arm64").close();
  testing::OciLayoutBuilder b(root_ + "/layout");
  const auto amd = b.image({root_ + "/amd.tar"}, {});
  const auto arm = b.image({root_ + "/arm.tar"}, {});
  const std::string index = b.blob(testing::OciLayoutBuilder::index_json(
                                       {{arm.manifest_digest, "", "linux/arm64"}, {amd.manifest_digest, "", "linux/amd64"}})
                                       .dump());
  b.index({{index, "latest", "", "application/vnd.oci.image.index.v1+json"}});
  testing::LoopbackRegistry registry(root_ + "/registry");
  registry.push("oci:" + root_ + "/layout:latest", "clnrm-test/multi:1", "--all");
  // (skopeo rewrites the manifests it pushes, so their digests change: the
  // layer's content says which platform was chosen.)
  const ImageRootfs r = resolve_image(registry.host() + "/clnrm-test/multi:1", options_);
  EXPECT_EQ(testing::read_whole(find_in_layers(r, "arch")), "amd64");
  // The same index from the layout itself.
  EXPECT_EQ(resolve_image("oci:" + root_ + "/layout:latest", options_).manifest_digest, amd.manifest_digest);
}

}  // namespace
}  // namespace clnrm
