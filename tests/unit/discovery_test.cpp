#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

TEST(DiscoveryTest, RecursiveSortedOnlyTestFiles) {
  const fs::path root = fs::temp_directory_path() / ("clnrm-disc-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{root};
  fs::create_directories(root / "b" / "c");
  for (const char* f : {"z.clnrm.toml", "b/a.clnrm.toml", "b/c/d.clnrm.toml", "notes.toml",
                        "b/x.clnrm.toml.bak", ".clnrm.toml"})
    std::ofstream(root / f) << "";
  const auto files = discover_test_files({root.string()});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], (root / "b/a.clnrm.toml").string());
  EXPECT_EQ(files[1], (root / "b/c/d.clnrm.toml").string());
  EXPECT_EQ(files[2], (root / "z.clnrm.toml").string());
  // A file named explicitly counts whatever its name; duplicates collapse.
  const auto explicit_files =
      discover_test_files({(root / "notes.toml").string(), root.string() + "/z.clnrm.toml",
                           root.string() + "/z.clnrm.toml"});
  EXPECT_EQ(explicit_files.size(), 2u);
  try {
    discover_test_files({(root / "missing").string()});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(DiscoveryTest, ASymlinkLoopIsNamedAsSuch) {
  const fs::path root = fs::temp_directory_path() / ("clnrm-loop-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{root};
  fs::create_directories(root);
  fs::create_symlink(root / "b", root / "a");
  fs::create_symlink(root / "a", root / "b");
  try {
    discover_test_files({(root / "a").string()});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_EQ(std::string(e.what()),
              "cannot use " + (root / "a").string() + ": Too many levels of symbolic links");
  }
}

TEST(DiscoveryTest, OnlyRegularFilesAreFoundInDirectories) {
  // A symlink or a FIFO in a (pull-request) tree is not read: it could point
  // at a host file or block the reader. Named on the command line, a symlink
  // is the user's and is followed.
  const fs::path root = fs::temp_directory_path() / ("clnrm-kinds-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{root};
  fs::create_directories(root / "d");
  std::ofstream(root / "d" / "real.clnrm.toml") << "";
  fs::create_symlink("/etc/hostname", root / "d" / "host.clnrm.toml");
  fs::create_symlink(root / "d" / "real.clnrm.toml", root / "d" / "link.clnrm.toml");
  ASSERT_EQ(::mkfifo((root / "d" / "fifo.clnrm.toml").c_str(), 0644), 0);
  const auto files = discover_test_files({(root / "d").string()});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], (root / "d" / "real.clnrm.toml").string());
  const auto named = discover_test_files({(root / "d" / "link.clnrm.toml").string()});
  EXPECT_EQ(named.size(), 1u);
}

}  // namespace
}  // namespace clnrm
