// [services.X] keys that name host paths (src/spec/services_reader.cpp,
// host_paths.cpp): a test file is untrusted input, so `rootfs`, `volumes` and
// `mount_test_dir` may only name paths of its own directory tree. Also the
// `ports` readiness default.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace clnrm {
namespace {

namespace fs = std::filesystem;

class TestDir {
 public:
  TestDir() : path_(dir_.path()) {
    fs::create_directories(path_ + "/tests/images/busybox");
    fs::create_directories(path_ + "/outside");
    fs::create_directory_symlink(path_ + "/outside", path_ + "/tests/escape");
    fs::create_directories(path_ + "/tests/fixtures");
    std::ofstream(path_ + "/tests/fixtures/input.txt") << "hello\n";
    std::ofstream(path_ + "/outside/secret.txt") << "secret\n";
    fs::create_symlink(path_ + "/outside/secret.txt", path_ + "/tests/fixtures/leak.txt");
  }
  std::string file() const { return path_ + "/tests/t.clnrm.toml"; }
  const std::string& path() const { return path_; }

 private:
  clnrm::testing::TempDir dir_{"clnrm-services-reader"};
  std::string path_;
};

ParseResult parse_with_rootfs(const TestDir& dir, const std::string& rootfs) {
  return parse_test_text(R"(
[test.metadata]
name = "rootfs"

[services.app]
plugin = "generic_container"
rootfs = ")" + rootfs + R"("
args = ["sh"]

[[steps]]
name = "s"
command = ["true"]
)",
                         dir.file());
}

std::string errors(const ParseResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) {
    if (d.severity == Diagnostic::Severity::Error) out += d.format() + "\n";
  }
  return out;
}

TEST(ServicesReader, RootfsIsResolvedAgainstTheTestFilesDirectory) {
  TestDir dir;
  const ParseResult r = parse_with_rootfs(dir, "images/busybox");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.spec->services.at(0).rootfs, fs::canonical(dir.path() + "/tests/images/busybox").string());
}

TEST(ServicesReader, RootfsOutsideTheTestFilesDirectoryIsAnErrorAtItsPosition) {
  TestDir dir;
  for (const std::string bad : {"/", "/root", "/var/run", "../outside", "images/../../outside", "escape", "missing"}) {
    const ParseResult r = parse_with_rootfs(dir, bad);
    EXPECT_FALSE(r.ok()) << bad;
    const std::string e = errors(r);
    EXPECT_NE(e.find(dir.file() + ":7:10"), std::string::npos) << bad << ": " << e;
    EXPECT_NE(e.find("rootfs"), std::string::npos) << e;
  }
}

ParseResult parse_in(const TestDir& dir, const std::string& body, const std::string& metadata = "") {
  return parse_test_text("[test.metadata]\nname = \"v\"\n" + metadata + "\n" + body +
                             "\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n",
                         dir.file());
}

TEST(ServicesReader, VolumesResolveAgainstTheTestFilesDirectoryAndAreReadOnlyByDefault) {
  TestDir dir;
  const ParseResult r = parse_in(dir, R"([services.app]
plugin = "process"
args = ["sleep", "1"]
volumes = [
  { host_path = "fixtures", container_path = "/fixtures" },
  { host_path = "fixtures/input.txt", container_path = "/tmp/work/in.txt", read_only = false },
  "./fixtures:/short//form/:rw",
  { host_path = ".", container_path = "/src" },
])");
  ASSERT_TRUE(r.ok()) << errors(r);
  const auto& v = r.spec->services.at(0).volumes;
  ASSERT_EQ(v.size(), 4u);
  const std::string tests = fs::canonical(dir.path() + "/tests").string();
  EXPECT_EQ(v[0].host_path, tests + "/fixtures");
  EXPECT_EQ(v[0].container_path, "/fixtures");
  EXPECT_TRUE(v[0].read_only) << "read-only unless the file says otherwise";
  EXPECT_EQ(v[1].host_path, tests + "/fixtures/input.txt");
  EXPECT_FALSE(v[1].read_only);
  EXPECT_EQ(v[2].container_path, "/short/form");
  EXPECT_FALSE(v[2].read_only);
  EXPECT_EQ(v[3].host_path, tests) << "\".\" is the test file's directory itself";
  EXPECT_EQ(r.spec->cleanroom_volumes().size(), 4u);
}

TEST(ServicesReader, AVolumeOutsideTheTestFilesDirectoryIsAnErrorAtItsHostPath) {
  TestDir dir;
  for (const std::string bad : {"/", "/etc", "/var/run/docker.sock", "/tmp", "../outside", "fixtures/../../outside",
                                "escape", "escape/secret.txt", "fixtures/leak.txt", "missing", ""}) {
    const ParseResult r = parse_in(dir, "[services.app]\nplugin = \"process\"\nargs = [\"true\"]\n"
                                        "volumes = [{ host_path = \"" + bad + "\", container_path = \"/data\" }]");
    EXPECT_FALSE(r.ok()) << bad;
    const std::string e = errors(r);
    EXPECT_NE(e.find(dir.file() + ":7:26: error: volume host_path"), std::string::npos) << bad << ": " << e;
  }
}

TEST(ServicesReader, VolumeContainerPathsMayNotHideTheCleanroomOrOverlap) {
  TestDir dir;
  for (const std::string bad : {"relative", "/", "/proc", "/proc/sys", "/dev/shm", "/sys/x", "/tmp", "/usr", "/var",
                                "/a/../b"}) {
    const ParseResult r = parse_in(dir, "[services.app]\nplugin = \"process\"\nargs = [\"true\"]\n"
                                        "volumes = [{ host_path = \"fixtures\", container_path = \"" + bad + "\" }]");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(errors(r).find(":7:55: error: volume container_path"), std::string::npos) << bad << ": " << errors(r);
  }
  // Services share one cleanroom: the same place twice, or one inside another, is an error.
  const ParseResult nested = parse_in(dir, R"([services.a]
plugin = "process"
args = ["true"]
volumes = ["fixtures:/data"]
[services.b]
plugin = "process"
args = ["true"]
volumes = ["fixtures/input.txt:/data/in.txt"]
)");
  EXPECT_NE(errors(nested).find(":11:12: error: volume container_path \"/data/in.txt\" lies inside the volume at /data"),
            std::string::npos)
      << errors(nested);
  const ParseResult test_dir = parse_in(dir, "[services.a]\nplugin = \"process\"\nargs = [\"true\"]\n"
                                             "volumes = [\"fixtures:/clnrm/test\"]", "mount_test_dir = true");
  EXPECT_NE(errors(test_dir).find("is also the place of mount_test_dir"), std::string::npos) << errors(test_dir);
  // The same volume declared by two services is one mount.
  const ParseResult same = parse_in(dir, R"([services.a]
plugin = "process"
args = ["true"]
volumes = ["fixtures:/data"]
[services.b]
plugin = "process"
args = ["true"]
volumes = ["fixtures:/data:ro"]
)");
  ASSERT_TRUE(same.ok()) << errors(same);
  EXPECT_EQ(same.spec->cleanroom_volumes().size(), 1u);
}

TEST(ServicesReader, RootfsAndVolumesInOneServiceAreRefused) {
  TestDir dir;
  const ParseResult r = parse_in(dir, R"([services.app]
plugin = "generic_container"
rootfs = "images/busybox"
args = ["sh"]
volumes = ["fixtures:/data"]
)");
  EXPECT_NE(errors(r).find(":8:12: error: service 'app' has both 'rootfs' and 'volumes'"), std::string::npos)
      << errors(r);
}

TEST(ServicesReader, MountTestDirBindsTheTestFilesDirectoryReadOnly) {
  TestDir dir;
  const ParseResult r = parse_in(dir, "", "mount_test_dir = true");
  ASSERT_TRUE(r.ok()) << errors(r);
  ASSERT_TRUE(r.spec->test_dir_volume);
  EXPECT_EQ(r.spec->test_dir_volume->host_path, fs::canonical(dir.path() + "/tests").string());
  EXPECT_EQ(r.spec->test_dir_volume->container_path, "/clnrm/test");
  EXPECT_TRUE(r.spec->test_dir_volume->read_only);
  EXPECT_EQ(r.spec->cleanroom_volumes().size(), 1u);
  EXPECT_FALSE(parse_in(dir, "", "mount_test_dir = false").spec->test_dir_volume);
  EXPECT_NE(errors(parse_in(dir, "", "mount_test_dir = \"yes\"")).find(":3:18: error"), std::string::npos);
}

TEST(ServicesReader, PortsAreTheReadinessDefaultWithoutWaitForOrHealthCheck) {
  TestDir dir;
  const ParseResult r = parse_in(dir, R"([services.a]
plugin = "process"
args = ["true"]
ports = [8080, 8081]
[services.b]
plugin = "process"
args = ["true"]
ports = [9090]
wait_for = { log = "ready" }
[services.c]
plugin = "process"
args = ["true"]
ports = [9091]
health_check = { cmd = ["true"] }
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  const ServiceSpec& a = r.spec->services.at(0);
  EXPECT_EQ(a.wait_for.kind, WaitFor::Kind::Port);
  EXPECT_EQ(a.wait_for.port, 0) << "0: every port of `ports`";
  EXPECT_EQ(a.wait_for.pos.line, 7u);
  EXPECT_EQ(r.spec->services.at(1).wait_for.kind, WaitFor::Kind::Log);
  EXPECT_EQ(r.spec->services.at(2).wait_for.kind, WaitFor::Kind::HealthCheck);
}

ParseResult parse_with_image(const TestDir& dir, const std::string& image) {
  return parse_test_text(R"([test.metadata]
name = "image"
[services.app]
plugin = "generic_container"
image = ")" + image + R"("
args = ["sh"]
[[steps]]
name = "s"
command = ["true"]
)",
                         dir.file());
}

// An image naming a file (oci:, oci-archive:, docker-archive:) follows the
// host-path rule of rootfs and volumes; a name is not a path.
TEST(ServicesReader, ImageFilesAreCheckedAtTheImageKey) {
  TestDir dir;
  for (const std::string good : {"oci:images/busybox", "oci:images/busybox/:v1", "docker-archive:fixtures/input.txt:a:1",
                                 "clnrm-test/busybox", "localhost:5000/x:1"}) {
    const ParseResult r = parse_with_image(dir, good);
    EXPECT_TRUE(r.ok()) << good << ": " << errors(r);
    if (r.ok()) {
      EXPECT_EQ(r.spec->services.at(0).image, good);  // kept as written: the store resolves it
    }
  }
  const std::pair<std::string, std::string> bad[] = {
      {"oci:/etc", "the image file \"/etc\" is absolute"},
      {"oci-archive:../outside/x.tar", "the image file \"../outside/x.tar\" has a '..' component"},
      {"oci:escape", "the image file 'escape' leads outside the test file's directory"},
      {"docker-archive:fixtures/leak.txt", "the image file 'fixtures/leak.txt' leads outside"},
      {"docker-archive:missing.tar", "the image file 'missing.tar' does not exist next to the test file"},
      {"oci:", "image 'oci:' names no file after its prefix"},
  };
  for (const auto& [image, message] : bad) {
    const ParseResult r = parse_with_image(dir, image);
    const std::string e = errors(r);
    EXPECT_NE(e.find(dir.file() + ":5:9: error: " + message), std::string::npos) << image << ": " << e;
  }
}

}  // namespace
}  // namespace clnrm
