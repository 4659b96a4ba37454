// git_head (src/base/git_head.cpp): HEAD's commit read from a repository's
// files, against layouts written by hand (each case of the format) and
// against real git repositories, where it must say what `git rev-parse` says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/git_head.h"
#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::TempDir;

namespace {

const std::string kA(40, 'a');
const std::string kB(40, 'b');

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// Runs a shell command in `dir`; fails the test when it does not succeed.
void sh(const std::filesystem::path& dir, const std::string& command) {
  const std::string line = "cd '" + dir.string() + "' && " + command + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(line.c_str()), 0) << line;
}

// A real repository with one commit on branch main.
void git_repo_with_commit(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  sh(dir, "git init -q -b main . && git -c user.name=t -c user.email=t@example.invalid "
          "commit -q --allow-empty -m one");
}

}  // namespace

TEST(GitHead, NotARepositoryIsEmpty) {
  TempDir dir;
  EXPECT_EQ(git_head(dir.path()), "");
  EXPECT_EQ(git_head(dir.file("does-not-exist")), "");
}

TEST(GitHead, LooseBranchRefFromASubdirectory) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / ".git/HEAD", "ref: refs/heads/main\n");
  write(std::filesystem::path(dir.path()) / ".git/refs/heads/main", kA + "\n");
  std::filesystem::create_directories(std::filesystem::path(dir.path()) / "tests/deep");
  EXPECT_EQ(git_head(dir.file("tests/deep")), kA);
}

TEST(GitHead, DetachedHeadIsTheCommitItself) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / ".git/HEAD", kB + "\n");
  EXPECT_EQ(git_head(dir.path()), kB);
}

TEST(GitHead, PackedRefSkipsHeaderAndPeeledLines) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / ".git/HEAD", "ref: refs/heads/main\n");
  write(std::filesystem::path(dir.path()) / ".git/packed-refs",
        "# pack-refs with: peeled fully-peeled sorted \n" + kB + " refs/heads/mainline\n" + kA +
            " refs/heads/main\n^" + kB + "\n");
  EXPECT_EQ(git_head(dir.path()), kA);
}

TEST(GitHead, UnbornBranchIsEmpty) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / ".git/HEAD", "ref: refs/heads/main\n");
  EXPECT_EQ(git_head(dir.path()), "");
}

TEST(GitHead, LinkedWorkTreeReadsBranchesFromTheCommonDir) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / "repo/.git/refs/heads/topic", kB + "\n");
  write(std::filesystem::path(dir.path()) / "repo/.git/worktrees/wt/HEAD", "ref: refs/heads/topic\n");
  write(std::filesystem::path(dir.path()) / "repo/.git/worktrees/wt/commondir", "../..\n");
  write(std::filesystem::path(dir.path()) / "wt/.git", "gitdir: " + dir.file("repo/.git/worktrees/wt") + "\n");
  EXPECT_EQ(git_head(dir.file("wt")), kB);
}

TEST(GitHead, ARefOutsideRefsIsNotFollowed) {
  TempDir dir;
  write(std::filesystem::path(dir.path()) / ".git/HEAD", "ref: refs/../../secret\n");
  write(std::filesystem::path(dir.path()) / "secret", kA + "\n");
  // Not read as a file; git (asked instead) refuses it too.
  EXPECT_EQ(git_head(dir.path()), "");
}

TEST(GitHead, SaysWhatGitSaysInRealRepositories) {
  TempDir dir;
  const auto repo = std::filesystem::path(dir.path()) / "repo";
  git_repo_with_commit(repo);
  const std::string loose = git_head_from_git(repo.string());
  ASSERT_EQ(loose.size(), 40u);
  EXPECT_EQ(git_head(repo.string()), loose);

  sh(repo, "git pack-refs --all");
  EXPECT_EQ(git_head(repo.string()), loose);

  sh(repo, "git -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m two");
  const std::string second = git_head_from_git(repo.string());
  EXPECT_NE(second, loose);
  EXPECT_EQ(git_head(repo.string()), second);

  sh(repo, "git worktree add -q --detach ../linked HEAD~1 && git worktree add -q -b topic ../branch");
  EXPECT_EQ(git_head((std::filesystem::path(dir.path()) / "linked").string()), loose);
  EXPECT_EQ(git_head((std::filesystem::path(dir.path()) / "branch").string()), git_head_from_git((std::filesystem::path(dir.path()) / "branch").string()));
  EXPECT_EQ(git_head((std::filesystem::path(dir.path()) / "branch").string()), second);
}
