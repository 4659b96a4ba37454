// [services.X] keys that name host paths (src/spec/services_reader.cpp): a
// test file is untrusted input, so `rootfs` may only name a directory of its
// own, which the sandbox then shares read-only with the pod.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

class TestDir {
 public:
  TestDir() {
    char tmpl[] = "/tmp/clnrm-services-reader-XXXXXX";
    path_ = ::mkdtemp(tmpl);
    fs::create_directories(path_ + "/tests/images/busybox");
    fs::create_directories(path_ + "/outside");
    fs::create_directory_symlink(path_ + "/outside", path_ + "/tests/escape");
  }
  ~TestDir() { fs::remove_all(path_); }
  std::string file() const { return path_ + "/tests/t.clnrm.toml"; }
  const std::string& path() const { return path_; }

 private:
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

}  // namespace
}  // namespace clnrm
