// Output files written atomically; paths from test files stay beneath the
// output directory and never follow a symbolic link (src/base/atomic_file.cpp).
#include "base/atomic_file.h"
#include "support/temp_dir.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(out());
    fs::create_directories(outside());
  }
  std::string out() const { return (root_ / "out").string(); }
  fs::path outside() const { return root_ / "outside"; }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  clnrm::testing::TempDir tmp_{"clnrm-atomic"};
  fs::path root_{tmp_.path()};
};

// `clnrm import compose -o OUT` without --force: a new file appears whole,
// an existing one is never replaced, and no temporary file is left.
TEST_F(AtomicFileTest, WriteNewCreatesAndNeverReplaces) {
  const std::string path = out() + "/new.txt";
  write_new_file_atomically(path, "first");
  EXPECT_EQ(slurp(path), "first");
  try {
    write_new_file_atomically(path, "second");
    ADD_FAILURE() << "an existing file was replaced";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(e.describe().find("exists; refusing to overwrite it"), std::string::npos) << e.describe();
  }
  EXPECT_EQ(slurp(path), "first");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(AtomicFileTest, WritesAndReplaces) {
  const std::string path = out() + "/f.txt";
  write_file_atomically(path, "one");
  write_file_atomically(path, "two");
  EXPECT_EQ(slurp(path), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(out()), fs::directory_iterator()), 1);
  EXPECT_THROW(write_file_atomically(out() + "/missing/f.txt", "x"), Error);
}

TEST_F(AtomicFileTest, WhyNotBeneath) {
  EXPECT_EQ(why_not_beneath("a.json"), std::nullopt);
  EXPECT_EQ(why_not_beneath("./a/b/c.json"), std::nullopt);
  EXPECT_EQ(why_not_beneath("a//b..json"), std::nullopt);
  EXPECT_EQ(why_not_beneath(""), "is empty");
  EXPECT_EQ(why_not_beneath("/etc/passwd"), "is absolute");
  EXPECT_EQ(why_not_beneath(".."), "has a '..' component");
  EXPECT_EQ(why_not_beneath("a/../../b"), "has a '..' component");
  EXPECT_EQ(why_not_beneath("a/"), "names no file (it ends in '/' or '.')");
  EXPECT_EQ(why_not_beneath("a/."), "names no file (it ends in '/' or '.')");
  EXPECT_EQ(why_not_beneath(std::string_view("a\0b", 3)), "contains a control character");
  EXPECT_EQ(why_not_beneath("a\nb"), "contains a control character");
}

TEST_F(AtomicFileTest, BeneathCreatesDirectoriesAndReplaces) {
  write_file_atomically_beneath(out(), "a/b/r.json", "one");
  write_file_atomically_beneath(out(), "./a//b/r.json", "two");
  EXPECT_EQ(slurp(out() + "/a/b/r.json"), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(out() + "/a/b"), fs::directory_iterator()), 1)
      << "no temporary file left";
}

TEST_F(AtomicFileTest, BeneathRefusesPathsThatLeave) {
  for (const char* bad : {"../outside/x", "/tmp/x", "a/../../outside/x", ""})
    EXPECT_THROW(write_file_atomically_beneath(out(), bad, "x"), Error) << bad;
  EXPECT_FALSE(fs::exists(outside() / "x"));
}

TEST_F(AtomicFileTest, BeneathRefusesASymlinkedDirectory) {
  fs::create_directory_symlink(outside(), out() + "/link");
  try {
    write_file_atomically_beneath(out(), "link/x.json", "x");
    FAIL() << "written through a symbolic link";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(e.describe().find("'link' is a symbolic link"), std::string::npos) << e.describe();
  }
  // Deeper, too: out/a/b -> outside.
  fs::create_directories(out() + "/a");
  fs::create_directory_symlink(outside(), out() + "/a/b");
  EXPECT_THROW(write_file_atomically_beneath(out(), "a/b/c/x.json", "x"), Error);
  EXPECT_TRUE(fs::is_empty(outside()));
}

TEST_F(AtomicFileTest, BeneathRefusesASymlinkInPlaceOfTheFile) {
  std::ofstream(outside() / "target") << "keep";
  fs::create_symlink(outside() / "target", out() + "/x.json");
  try {
    write_file_atomically_beneath(out(), "x.json", "x");
    FAIL() << "written through a symbolic link";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("'x.json' is a symbolic link"), std::string::npos) << e.describe();
  }
  EXPECT_EQ(slurp(outside() / "target"), "keep");
  EXPECT_TRUE(fs::is_symlink(out() + "/x.json"));
}

TEST_F(AtomicFileTest, TheOutputDirectoryItselfMayBeALink) {
  // It is the user's (--output-dir); only what lies below it is untrusted.
  fs::create_directory_symlink(out(), root_ / "out-link");
  write_file_atomically_beneath((root_ / "out-link").string(), "r.json", "ok");
  EXPECT_EQ(slurp(out() + "/r.json"), "ok");
}

// Issue 14 item 12: a report path is checked before the run, and a path
// naming a descriptor or a link is written through, never replaced.
TEST_F(AtomicFileTest, WhyNotWritableNamesThePath) {
  EXPECT_EQ(why_not_writable(out() + "/new/dir/r.html"), std::nullopt);
  EXPECT_TRUE(fs::is_directory(out() + "/new/dir")) << "missing parents are created";
  EXPECT_EQ(std::distance(fs::directory_iterator(out() + "/new/dir"), fs::directory_iterator()), 0)
      << "the probe file is gone";
  std::ofstream(out() + "/plain") << "x";
  const auto why = why_not_writable(out() + "/plain/r.html");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find(out() + "/plain"), std::string::npos) << *why;
  EXPECT_NE(why_not_writable(out()), std::nullopt) << "a directory is not a report file";
  EXPECT_EQ(why_not_writable("/dev/stderr"), std::nullopt);
  EXPECT_NE(why_not_writable("/dev/fd/987"), std::nullopt) << "not an open descriptor";
}

TEST_F(AtomicFileTest, DescriptorPathsAreWrittenThroughTheDescriptor) {
  const std::string file = out() + "/captured";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "before\n", 7), 7);
  write_file_atomically("/proc/self/fd/" + std::to_string(fd), "report\n");
  ASSERT_EQ(::write(fd, "after\n", 6), 6);
  ::close(fd);
  EXPECT_EQ(slurp(file), "before\nreport\nafter\n") << "appended where the descriptor was";
}

TEST_F(AtomicFileTest, ASymbolicLinkNamedByTheUserIsWrittenThroughNotReplaced) {
  std::ofstream(outside() / "target") << "old";
  fs::create_symlink(outside() / "target", out() + "/link.json");
  write_file_atomically(out() + "/link.json", "new");
  EXPECT_TRUE(fs::is_symlink(out() + "/link.json"));
  EXPECT_EQ(slurp(outside() / "target"), "new");
}

}  // namespace
}  // namespace clnrm

TEST(AtomicFile, IsSameOrBelowComparesWholePathComponents) {
  EXPECT_TRUE(clnrm::is_same_or_below("/a/b", "/a/b"));
  EXPECT_TRUE(clnrm::is_same_or_below("/a/b/c", "/a/b"));
  EXPECT_FALSE(clnrm::is_same_or_below("/a/bc", "/a/b"));
  EXPECT_FALSE(clnrm::is_same_or_below("/a", "/a/b"));
  EXPECT_TRUE(clnrm::is_same_or_below("/anything", "/"));
}
