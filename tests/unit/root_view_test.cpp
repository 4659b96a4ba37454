// The runner's side of a pod's root view: which host paths it lists and
// which sockets it finds (src/backend/sandbox/root_view.cpp).
#include "backend/host_sockets.h"
#include "backend/sandbox/root_view.h"
#include "support/socket_tree.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

namespace clnrm::sandbox {
namespace {

using TempTree = clnrm::testing::SocketTree;

TEST(RootView, FindsSocketsAtEveryDepthWithoutFollowingSymlinks) {
  TempTree tree;
  std::filesystem::create_directories(tree.path() + "/a/b/c");
  std::filesystem::create_directories(tree.path() + "/other");
  std::ofstream(tree.path() + "/a/file") << "x";
  tree.socket_at("top.sock");
  tree.socket_at("a/b/c/deep.sock");
  tree.socket_at("other/elsewhere.sock");
  // A symlink to a directory with a socket is not walked (the socket is
  // found where it really is, once).
  std::filesystem::create_directory_symlink(tree.path() + "/other", tree.path() + "/a/link");
  auto found = find_unix_sockets(tree.path());
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::string>{tree.path() + "/a/b/c/deep.sock",
                                             tree.path() + "/other/elsewhere.sock",
                                             tree.path() + "/top.sock"}));
}

TEST(RootView, ATreeTooLargeToWalkIsAConfigErrorNamingIt) {
  TempTree tree;
  for (int i = 0; i < 20; ++i) std::ofstream(tree.path() + "/f" + std::to_string(i)) << "x";
  try {
    find_unix_sockets(tree.path(), 10);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(e.describe().find(tree.path()), std::string::npos) << e.describe();
  }
}

TEST(RootView, TheSystemViewIsTheAllowlistAndNeverRunVarHomeOrRoot) {
  const auto view = system_root_entries();
  const std::vector<std::string> covered = system_covered();
  std::vector<std::string> paths;
  for (const auto& e : view->entries) paths.push_back(e.path);
  for (const char* never :
       {"/", "/run", "/var", "/var/run", "/home", "/root", "/tmp", "/dev", "/proc", "/sys"}) {
    EXPECT_EQ(std::count(paths.begin(), paths.end(), never), 0) << never;
  }
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "/usr"), 1);
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "/etc"), 1);
  // Host root's password hashes are covered (a low pod runs as host root).
  EXPECT_EQ(std::count(covered.begin(), covered.end(), "/etc/shadow"),
            std::filesystem::exists("/etc/shadow") ? 1 : 0);
}

TEST(RootView, SharedDirectoriesAreCheckedAndTheirSocketsCovered) {
  TempTree tree;
  tree.socket_at("s.sock");
  const auto system = system_root_entries();
  const auto view = add_shared_dirs(system, {tree.path()});
  EXPECT_TRUE(view->entries.back().shared);
  EXPECT_EQ(view->entries.back().path, tree.path());
  EXPECT_EQ(view->covered.back(), tree.path() + "/s.sock");
  EXPECT_EQ(add_shared_dirs(system, {tree.path()}), view) << "walked twice";
  for (const std::string& bad :
       std::vector<std::string>{"relative", "/no/such/dir", "/", tree.path() + "/../x"}) {
    EXPECT_THROW(add_shared_dirs(system, {bad}), Error) << bad;
  }
}

TEST(RootView, VolumesAreBoundAtTheirContainerPathWithTheirSocketsCoveredThere) {
  TempTree tree;
  std::filesystem::create_directories(tree.path() + "/data/sub");
  std::ofstream(tree.path() + "/file.txt") << "x";
  tree.socket_at("data/sub/db.sock");
  const auto system = system_root_entries();
  VolumeSpec dir{tree.path() + "/data", "/fixtures", true, {}};
  VolumeSpec file{tree.path() + "/file.txt", "/etc-app/file.txt", false, {}};
  const auto view = add_shared_dirs(system, {}, {dir, file});
  ASSERT_GE(view->entries.size(), 2u);
  const ViewEntry& d = view->entries[view->entries.size() - 2];
  const ViewEntry& f = view->entries.back();
  EXPECT_TRUE(d.shared && d.volume);
  EXPECT_EQ(d.in_pod(), "/fixtures");
  EXPECT_EQ(d.kind, ViewEntry::Kind::Directory);
  EXPECT_FALSE(d.writable);
  EXPECT_EQ(f.kind, ViewEntry::Kind::File);
  EXPECT_TRUE(f.writable);
  EXPECT_EQ(view->covered.back(), "/fixtures/sub/db.sock") << "covered where the pod sees it";
  EXPECT_EQ(add_shared_dirs(system, {}, {dir, file}), view) << "walked twice";
  EXPECT_NE(add_shared_dirs(system, {}, {VolumeSpec{dir.host_path, "/fixtures", false, {}}}), view)
      << "read-only and writable are different views";
  std::filesystem::create_directory_symlink(tree.path() + "/data", tree.path() + "/link");
  for (const VolumeSpec& bad : std::vector<VolumeSpec>{{"relative", "/x", true, {}},
                                                       {"/", "/x", true, {}},
                                                       {tree.path() + "/missing", "/x", true, {}},
                                                       {tree.path() + "/link", "/x", true, {}},
                                                       {tree.path() + "/data", "relative", true, {}}}) {
    EXPECT_THROW(add_shared_dirs(system, {}, {bad}), Error) << bad.host_path << " -> " << bad.container_path;
  }
}

// A backend's system view is taken once, each part, whichever threads ask
// and when.
TEST(SystemViewOnce, EveryAskerGetsTheOneWalk) {
  SystemViewOnce once;
  std::vector<std::shared_ptr<const RootView>> entries(4);
  std::vector<std::shared_ptr<const std::vector<std::string>>> covered(4);
  {
    std::vector<std::thread> askers;
    for (std::size_t i = 0; i < entries.size(); ++i)
      askers.emplace_back([&, i] {
        covered[i] = once.covered();
        entries[i] = once.entries();
      });
    for (auto& t : askers) t.join();
  }
  ASSERT_NE(entries[0], nullptr);
  ASSERT_NE(covered[0], nullptr);
  for (const auto& view : entries) EXPECT_EQ(view.get(), entries[0].get());
  for (const auto& list : covered) EXPECT_EQ(list.get(), covered[0].get());
  EXPECT_EQ(once.entries().get(), entries[0].get());
  EXPECT_EQ(once.covered().get(), covered[0].get());
  EXPECT_FALSE(entries[0]->entries.empty());
  EXPECT_TRUE(entries[0]->covered.empty()) << "the walk's result is covered(), apart";
  EXPECT_EQ(*covered[0], system_covered());
}

}  // namespace
}  // namespace clnrm::sandbox
