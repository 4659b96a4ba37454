// The socket walk with its memo (src/backend/host_sockets.cpp,
// src/backend/socket_walk_memo.cpp): a directory is taken from the memo only
// while it is provably what was read, so a socket made, moved or removed
// since is never missed or reported twice.
#include "backend/socket_walk_memo.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "backend/host_sockets.h"
#include "backend/sandbox/root_view.h"
#include "base/cache_dir.h"
#include "support/socket_tree.h"

namespace clnrm {
namespace {

using clnrm::testing::SocketTree;
using clnrm::testing::TempDir;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A tree of 5 directories with two sockets, and a memo file beside it.
class WalkMemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(tree.at("a/b/c"));
    std::filesystem::create_directories(tree.at("d"));
    std::ofstream(tree.at("a/file")) << "x";
    tree.socket_at("top.sock");
    tree.socket_at("a/b/c/deep.sock");
  }
  SocketWalk walk() { return walk_for_unix_sockets(tree.path(), memo); }
  // Until the tree's ctimes are older than the settling time of the walk
  // that records them, no record is trusted.
  static void settle() { std::this_thread::sleep_for(std::chrono::seconds(SocketWalkMemo::kSettleSeconds + 1)); }

  SocketTree tree;
  TempDir memo_dir{"clnrm-walk-memo"};
  std::string memo = memo_dir.path() + "/memo";
};

TEST_F(WalkMemoTest, AFreshTreeIsReadAgainUntilItSettles) {
  const SocketWalk first = walk();
  EXPECT_EQ(first.dirs_read, 5u);
  EXPECT_EQ(sorted(first.sockets), sorted({tree.at("top.sock"), tree.at("a/b/c/deep.sock")}));
  ASSERT_TRUE(std::filesystem::exists(memo));
  // Made less than kSettleSeconds before the walk: a change within the same
  // tick of the filesystem's clock would not move these ctimes.
  const SocketWalk second = walk();
  EXPECT_EQ(second.dirs_read, 5u);
  EXPECT_EQ(second.dirs_reused, 0u);
  EXPECT_EQ(sorted(second.sockets), sorted(first.sockets));
}

TEST_F(WalkMemoTest, ASettledTreeIsTakenFromTheMemoAndEveryChangeSinceIsSeen) {
  settle();
  const std::vector<std::string> expected = sorted({tree.at("top.sock"), tree.at("a/b/c/deep.sock")});
  EXPECT_EQ(sorted(walk().sockets), expected);
  // The limit on entries holds for directories taken from the memo.
  EXPECT_THROW(walk_for_unix_sockets(tree.path(), memo, 3), Error);
  const SocketWalk unchanged = walk();
  EXPECT_EQ(unchanged.dirs_read, 0u);
  EXPECT_EQ(unchanged.dirs_reused, 5u);
  EXPECT_EQ(sorted(unchanged.sockets), expected);

  // A socket made deep down: only its directory is read again, and again
  // on the next walk (it has not settled), never missed.
  tree.socket_at("a/b/new.sock");
  for (int i = 0; i < 2; ++i) {
    const SocketWalk after = walk();
    EXPECT_EQ(after.dirs_read, 1u) << i;
    EXPECT_EQ(sorted(after.sockets), sorted({tree.at("top.sock"), tree.at("a/b/c/deep.sock"),
                                             tree.at("a/b/new.sock")}))
        << i;
  }
  // A directory moved elsewhere in the tree: its sockets are where it is now.
  std::filesystem::rename(tree.at("a/b/c"), tree.at("d/moved"));
  EXPECT_EQ(sorted(walk().sockets), sorted({tree.at("top.sock"), tree.at("d/moved/deep.sock"),
                                            tree.at("a/b/new.sock")}));
  // A socket removed, a directory replaced by a symbolic link to one with a socket.
  std::filesystem::remove(tree.at("top.sock"));
  std::filesystem::remove_all(tree.at("a/b"));
  std::filesystem::create_directory_symlink(tree.at("d/moved"), tree.at("a/b"));
  EXPECT_EQ(sorted(walk().sockets), sorted({tree.at("d/moved/deep.sock")}));
}

TEST_F(WalkMemoTest, AMemoThatIsNotTheRunnersOwnOrIsDamagedIsNotUsed) {
  settle();
  walk();
  ASSERT_EQ(walk().dirs_reused, 5u);
  // Writable by others: anyone could have written it.
  ASSERT_EQ(::chmod(memo.c_str(), 0666), 0);
  EXPECT_EQ(walk().dirs_read, 5u);
  // (rewritten by that walk, the runner's own again)
  ASSERT_EQ(walk().dirs_reused, 5u);
  // Cut short: not a whole memo.
  std::filesystem::resize_file(memo, std::filesystem::file_size(memo) / 2);
  const SocketWalk damaged = walk();
  EXPECT_EQ(damaged.dirs_read, 5u);
  EXPECT_EQ(sorted(damaged.sockets), sorted({tree.at("top.sock"), tree.at("a/b/c/deep.sock")}));
  // The memo of another tree.
  SocketTree other;
  walk_for_unix_sockets(other.path(), memo);
  EXPECT_EQ(walk().dirs_read, 5u);
}

// Names are bytes: the memo escapes '%' and newline, and what comes back
// from it is the name the directory holds.
TEST_F(WalkMemoTest, NamesWithPercentAndNewlineComeBackFromTheMemoAsTheyAre) {
  std::filesystem::create_directories(tree.at("50%/x%0Ay"));
  std::filesystem::create_directories(tree.at("two\nlines"));
  tree.socket_at("50%/x%0Ay/p%25q.sock");
  tree.socket_at("two\nlines/new\nline.sock");
  settle();
  const std::vector<std::string> expected =
      sorted({tree.at("top.sock"), tree.at("a/b/c/deep.sock"), tree.at("50%/x%0Ay/p%25q.sock"),
              tree.at("two\nlines/new\nline.sock")});
  EXPECT_EQ(sorted(walk().sockets), expected);
  const SocketWalk again = walk();
  EXPECT_EQ(again.dirs_read, 0u);
  EXPECT_EQ(again.dirs_reused, 8u);
  EXPECT_EQ(sorted(again.sockets), expected);
}

TEST(SystemRootView, RemembersItsWalkOfEtcInTheUsersCacheDirectory) {
  const auto cache = user_cache_dir();
  ASSERT_TRUE(cache.has_value());
  sandbox::system_covered();
  std::ifstream in(*cache + "/host-sockets/etc");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "clnrm socket-walk memo 1");
}

}  // namespace
}  // namespace clnrm
