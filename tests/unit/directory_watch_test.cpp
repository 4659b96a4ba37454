// DirectoryWatch (src/cli/directory_watch.cpp): real inotify on a scratch
// tree. Events are awaited by poll(2) with a generous limit; nothing asserts
// how soon they come.
#include "cli/directory_watch.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>

#include "support/temp_dir.h"

using clnrm::cli::DirectoryWatch;
using clnrm::cli::ignored_name;
using clnrm::testing::TempDir;

namespace {

// Reads events until `done` holds for what was read (true) or 30 s pass.
bool read_until(DirectoryWatch& w, std::vector<std::string>& seen,
                const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    pollfd p{w.fd(), POLLIN, 0};
    ::poll(&p, 1, 500);
    for (std::string& path : w.read().paths) seen.push_back(std::move(path));
  }
  return true;
}

bool has(const std::vector<std::string>& seen, const std::string& path) {
  return std::find(seen.begin(), seen.end(), path) != seen.end();
}

TEST(DirectoryWatch, ReportsAWrittenFileBelowTheRoot) {
  TempDir dir;
  dir.write("sub/deeper/keep", "");
  DirectoryWatch w;
  w.add_tree(dir.path());
  EXPECT_EQ(w.directories(), 3u);
  dir.write("sub/deeper/a.clnrm.toml", "x");
  std::vector<std::string> seen;
  ASSERT_TRUE(read_until(w, seen, [&] { return has(seen, dir.file("sub/deeper/a.clnrm.toml")); }));
}

TEST(DirectoryWatch, WatchesADirectoryMadeAfterItStarted) {
  TempDir dir;
  DirectoryWatch w;
  w.add_tree(dir.path());
  std::filesystem::create_directories(dir.file("new/inner"));
  std::vector<std::string> seen;
  ASSERT_TRUE(read_until(w, seen, [&] { return has(seen, dir.file("new")); }));
  // Made together with its parent: watched once read() has seen the parent.
  ASSERT_TRUE(read_until(w, seen, [&] { return w.directories() == 3u; })) << w.directories();
  dir.write("new/inner/b.clnrm.toml", "x");
  ASSERT_TRUE(read_until(w, seen, [&] { return has(seen, dir.file("new/inner/b.clnrm.toml")); }));
}

TEST(DirectoryWatch, ARenameOntoATestFileIsReported) {
  TempDir dir;
  dir.write("a.clnrm.toml", "old");
  DirectoryWatch w;
  w.add_tree(dir.path());
  // An editor's save: a temporary file renamed over the old one.
  dir.write(".a.clnrm.toml.swp", "new");
  std::filesystem::rename(dir.file(".a.clnrm.toml.swp"), dir.file("a.clnrm.toml"));
  std::vector<std::string> seen;
  ASSERT_TRUE(read_until(w, seen, [&] { return has(seen, dir.file("a.clnrm.toml")); }));
  EXPECT_FALSE(has(seen, dir.file(".a.clnrm.toml.swp"))) << "hidden names are never reported";
}

TEST(DirectoryWatch, HiddenDirectoriesAndEditorFilesAreNotReported) {
  TempDir dir;
  dir.write(".git/HEAD", "");
  DirectoryWatch w;
  w.add_tree(dir.path());
  EXPECT_EQ(w.directories(), 1u) << ".git is not descended into";
  dir.write(".git/index", "x");
  dir.write("notes.txt~", "x");
  dir.write("4913", "");
  dir.write("report.json.tmp.4242", "{}");
  dir.write("last.txt", "x");  // events come in order: once this is seen, the others were read
  std::vector<std::string> seen;
  ASSERT_TRUE(read_until(w, seen, [&] { return has(seen, dir.file("last.txt")); }));
  EXPECT_EQ(seen, std::vector<std::string>{dir.file("last.txt")});
}

TEST(DirectoryWatch, ARemovedTreeIsForgotten) {
  TempDir dir;
  dir.write("tree/sub/a.clnrm.toml", "x");
  DirectoryWatch w;
  w.add_tree(dir.file("tree"));
  EXPECT_EQ(w.directories(), 2u);
  std::filesystem::remove_all(dir.file("tree"));
  std::vector<std::string> seen;
  ASSERT_TRUE(read_until(w, seen, [&] { return w.directories() == 0; })) << w.directories();
  EXPECT_TRUE(has(seen, dir.file("tree/sub/a.clnrm.toml")));
}

TEST(DirectoryWatch, ARootThatIsNotADirectoryIsAUsageError) {
  TempDir dir;
  const std::string file = dir.write("a.clnrm.toml", "x");
  DirectoryWatch w;
  try {
    w.add_tree(file);
    FAIL() << "a file was accepted";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Usage);
    EXPECT_NE(e.describe().find(file), std::string::npos) << e.describe();
  }
  EXPECT_THROW(w.add_tree(dir.file("missing")), clnrm::Error);
}

TEST(DirectoryWatch, TheInotifyDescriptorIsClosedWithTheWatch) {
  int fd = -1;
  {
    DirectoryWatch w;
    fd = w.fd();
    EXPECT_NE(::fcntl(fd, F_GETFD), -1);
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << "not inherited by what a test runs";
  }
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST(DirectoryWatch, IgnoredNames) {
  for (const char* name : {".git", ".a.clnrm.toml.swp", "a.clnrm.toml~", "#a.clnrm.toml#", "4913",
                           "x.swp", "x.swo", "x.swx", "report.json.tmp.123", ""})
    EXPECT_TRUE(ignored_name(name)) << name;
  for (const char* name : {"a.clnrm.toml", "cleanroom.toml", "data.json", "4914", "x.tmp", "x.tmp.",
                           "x.tmp.12a", "tmp"})
    EXPECT_FALSE(ignored_name(name)) << name;
}

}  // namespace
