// Index, manifest and config documents (src/image/oci_model.cpp).
#include "image/oci_model.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

namespace clnrm::image {
namespace {

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

TEST(OciModel, ReadsTheConfigTheSandboxHonours) {
  const ImageConfig c = parse_image_config(R"({"config":{"Entrypoint":["docker-entrypoint.sh"],"Cmd":["redis-server"],
    "Env":["PATH=/usr/bin","A=b"],"WorkingDir":"/data","User":"999:999",
    "ExposedPorts":{"6379/tcp":{},"53/udp":{},"80":{}}}})",
                                           "config");
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"docker-entrypoint.sh"});
  EXPECT_EQ(c.cmd, std::vector<std::string>{"redis-server"});
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/usr/bin", "A=b"}));
  EXPECT_EQ(c.working_dir, "/data");
  EXPECT_EQ(c.user, "999:999");
  EXPECT_EQ(c.exposed_tcp_ports, (std::vector<int>{80, 6379}));
  EXPECT_TRUE(parse_image_config(R"({"architecture":"amd64"})", "config").cmd.empty());
}

TEST(OciModel, UnsupportedMediaTypesSayWhatToDo) {
  const std::string d = "sha256:" + std::string(64, 'a');
  const std::string e = error_of([&] {
    parse_manifest(R"({"schemaVersion":2,"config":{"digest":")" + d + R"("},"layers":[{"mediaType":"application/x-squashfs","digest":")" + d + R"("}]})",
                   "the manifest of image x");
  });
  EXPECT_NE(e.find("layer 1 of the manifest of image x (" + d + ") has the unsupported media type 'application/x-squashfs'"),
            std::string::npos) << e;
  EXPECT_NE(e.find("skopeo copy"), std::string::npos) << e;
  EXPECT_NE(error_of([] { document_kind(R"({"mediaType":"application/vnd.docker.distribution.manifest.v1+json"})", "", "m"); })
                .find("unsupported media type"),
            std::string::npos);
}

TEST(OciModel, PlatformNotInTheIndexListsWhatIsThere) {
  const std::string d = "sha256:" + std::string(64, 'b');
  const auto index = parse_index(R"({"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + d +
                                     R"(","platform":{"os":"linux","architecture":"s390x"}}]})",
                                 "index");
  const std::string e = error_of([&] { select_platform(index, "the index of image x"); });
  EXPECT_NE(e.find("the index of image x has no image for this machine's platform " + host_platform() + " (it has: linux/s390x)"),
            std::string::npos) << e;
  EXPECT_NE(e.find("--override-arch"), std::string::npos);
}

TEST(OciModel, DigestsInDocumentsAreChecked) {
  EXPECT_NE(error_of([] { parse_index(R"({"manifests":[{"digest":"sha256:../../x"}]})", "index.json"); }).find("not a sha256 digest"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_manifest("[1,2]", "m"); }).find("m is not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace clnrm::image
