// Opening below a directory without leaving it (src/base/open_beneath.cpp):
// symbolic links and ".." are refused, normal paths work, with openat2 and
// with the walk that stands in for it on kernels without openat2.
#include "base/open_beneath.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

std::string read_fd(int fd) {
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  return text;
}

// Both implementations of BeneathRule::NoSymlinks, run on the same tree.
using OpenFn = int (*)(int, const char*, int);
int with_openat2(int dir, const char* path, int flags) {
  return open_beneath_fd(dir, path, flags, BeneathRule::NoSymlinks);
}
int with_walk(int dir, const char* path, int flags) { return open_beneath_walk(dir, path, flags); }

class OpenBeneath : public ::testing::TestWithParam<OpenFn> {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "dir" / "a" / "b");
    fs::create_directories(root_ / "outside");
    std::ofstream(root_ / "dir" / "a" / "b" / "f") << "inside";
    std::ofstream(root_ / "outside" / "secret") << "outside";
    fs::create_symlink(root_ / "outside" / "secret", root_ / "dir" / "link");
    fs::create_symlink("b", root_ / "dir" / "a" / "rel");  // stays inside, still a link
    fs::create_symlink(root_ / "outside", root_ / "dir" / "out");
    dir_.reset(::open((root_ / "dir").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir_.valid());
  }
  int open(const char* path, int flags = O_RDONLY | O_CLOEXEC) { return GetParam()(dir_.get(), path, flags); }
  // errno of a refused open (0 when it opened).
  int refused(const char* path, int flags = O_RDONLY | O_CLOEXEC) {
    errno = 0;
    UniqueFd fd(open(path, flags));
    return fd.valid() ? 0 : errno;
  }
  clnrm::testing::TempDir tmp_{"clnrm-beneath"};
  fs::path root_{tmp_.path()};
  UniqueFd dir_;
};

TEST_P(OpenBeneath, NormalPathsOpen) {
  UniqueFd fd(open("a/b/f"));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_EQ(read_fd(fd.get()), "inside");
  UniqueFd dotted(open("./a//b/./f"));
  ASSERT_TRUE(dotted.valid()) << std::strerror(errno);
  EXPECT_EQ(read_fd(dotted.get()), "inside");
  UniqueFd sub(open("a/b", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  EXPECT_TRUE(sub.valid()) << std::strerror(errno);
  EXPECT_EQ(refused("a/b/missing"), ENOENT);
}

TEST_P(OpenBeneath, SymbolicLinksAreRefused) {
  EXPECT_EQ(refused("link"), ELOOP);             // the file itself is a link out
  EXPECT_EQ(refused("out/secret"), ELOOP);       // a directory on the way is a link out
  EXPECT_EQ(refused("a/rel/f"), ELOOP);          // even one that stays inside
  EXPECT_EQ(refused("link", O_PATH | O_CLOEXEC), ELOOP);
}

TEST_P(OpenBeneath, DotDotAndAbsolutePathsAreRefused) {
  EXPECT_EQ(refused("../outside/secret"), EXDEV);
  EXPECT_EQ(refused("a/../../outside/secret"), EXDEV);
  EXPECT_EQ(refused((root_ / "outside" / "secret").c_str()), EXDEV);
}

INSTANTIATE_TEST_SUITE_P(Both, OpenBeneath, ::testing::Values(&with_openat2, &with_walk),
                         [](const auto& info) { return info.index == 0 ? "Openat2" : "Walk"; });

class OpenDirBeneath : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "dir" / "a");
    fs::create_directories(root_ / "outside");
    std::ofstream(root_ / "dir" / "file") << "x";
    fs::create_symlink(root_ / "outside", root_ / "dir" / "out");
    dir_.reset(::open((root_ / "dir").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir_.valid());
  }
  clnrm::testing::TempDir tmp_{"clnrm-beneath-dir"};
  fs::path root_{tmp_.path()};
  UniqueFd dir_;
};

TEST_F(OpenDirBeneath, OpensAndCreatesMissingDirectories) {
  const std::vector<std::string> parts = {"a", "new", "deeper"};
  EXPECT_FALSE(open_dir_beneath(dir_.get(), parts, /*create=*/false).valid());
  EXPECT_EQ(errno, ENOENT);
  UniqueFd made = open_dir_beneath(dir_.get(), parts, /*create=*/true);
  ASSERT_TRUE(made.valid()) << std::strerror(errno);
  EXPECT_TRUE(fs::is_directory(root_ / "dir" / "a" / "new" / "deeper"));
  UniqueFd same = open_dir_beneath(dir_.get(), parts, /*create=*/false);
  EXPECT_TRUE(same.valid());
}

TEST_F(OpenDirBeneath, RefusesLinksFilesAndDotDot) {
  BeneathWalkFailure at;
  const std::vector<std::string> via_link = {"out", "x"};
  EXPECT_FALSE(open_dir_beneath(dir_.get(), via_link, /*create=*/true, &at).valid());
  EXPECT_EQ(errno, ELOOP);
  EXPECT_EQ(at.component, 0u);
  EXPECT_FALSE(fs::exists(root_ / "outside" / "x"));

  const std::vector<std::string> via_file = {"a", "..", "file"};
  EXPECT_FALSE(open_dir_beneath(dir_.get(), via_file, /*create=*/true, &at).valid());
  EXPECT_EQ(errno, EXDEV);
  EXPECT_EQ(at.component, 1u);

  const std::vector<std::string> not_dir = {"file", "x"};
  EXPECT_FALSE(open_dir_beneath(dir_.get(), not_dir, /*create=*/true, &at).valid());
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(at.component, 0u);
}

// BeneathRule::InRoot: the image's own links resolve, but inside the root.
TEST(OpenBeneathInRoot, LinksResolveInsideTheRoot) {
  clnrm::testing::TempDir tmp{"clnrm-beneath-root"};
  const fs::path root = tmp.path();
  fs::create_directories(root / "image" / "data");
  std::ofstream(root / "image" / "data" / "f") << "image";
  std::ofstream(root / "secret") << "host";
  fs::create_symlink("/data", root / "image" / "srv");     // absolute: the image's /data
  fs::create_symlink("../../secret", root / "image" / "up");  // ".." stops at the root
  UniqueFd image(::open((root / "image").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(image.valid());
  UniqueFd fd(open_beneath_fd(image.get(), "srv/f", O_RDONLY | O_CLOEXEC, BeneathRule::InRoot));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_EQ(read_fd(fd.get()), "image");
  errno = 0;
  UniqueFd escaped(open_beneath_fd(image.get(), "up", O_RDONLY | O_CLOEXEC, BeneathRule::InRoot));
  EXPECT_FALSE(escaped.valid());  // resolves to <root>/secret, which does not exist
  EXPECT_EQ(errno, ENOENT);
}

// A ".." resolved while anything on the machine is renamed makes openat2
// answer EAGAIN ("try again"); another pod's setup renames and mounts all
// the time. The open retries: a rename elsewhere never fails it.
TEST(OpenBeneathInRoot, ARenameElsewhereDoesNotFailTheOpen) {
  clnrm::testing::TempDir tmp{"clnrm-beneath-rename"};
  const fs::path root = tmp.path();
  fs::create_directories(root / "image" / "data");
  std::ofstream(root / "image" / "data" / "f") << "image";
  fs::create_directories(root / "churn" / "a");
  UniqueFd image(::open((root / "image").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(image.valid());
  std::atomic<bool> stop{false};
  std::thread renamer([&] {
    const std::string a = (root / "churn" / "a").string(), b = (root / "churn" / "b").string();
    while (!stop.load()) {
      ::rename(a.c_str(), b.c_str());
      ::rename(b.c_str(), a.c_str());
    }
  });
  int failed = 0, last_errno = 0;
  for (int i = 0; i < 20000; ++i) {
    UniqueFd fd(open_beneath_fd(image.get(), "data/../data/f", O_RDONLY | O_CLOEXEC, BeneathRule::InRoot));
    if (!fd.valid()) {
      ++failed;
      last_errno = errno;
    }
  }
  stop = true;
  renamer.join();
  EXPECT_EQ(failed, 0) << std::strerror(last_errno);
}

}  // namespace
}  // namespace clnrm
