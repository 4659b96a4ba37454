// The one flock(2) lock (src/base/file_lock.cpp): the image store waits for
// it, the docker backend's reuse slots try it once, the history inbox takes
// it shared.
#include "base/file_lock.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace clnrm {
namespace {

TEST(FileLock, ATryFailsWhileAnotherProcessHoldsItAndSucceedsAfter) {
  testing::TempDir dir{"clnrm-file-lock"};
  const std::string path = dir.path() + "/x.lock";
  FileLock held = FileLock::wait(path);
  ASSERT_TRUE(held.held());
  const pid_t child = ::fork();
  if (child == 0) _exit(FileLock::try_lock(path).held() ? 1 : 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "another process got the lock while it was held";
  held = FileLock();
  EXPECT_FALSE(held.held());
  EXPECT_TRUE(FileLock::try_lock(path).held());
}

// A lock file may sit in a shared directory: a planted link is not followed.
TEST(FileLock, ASymbolicLinkIsNotFollowed) {
  testing::TempDir dir{"clnrm-file-lock"};
  const std::string target = dir.path() + "/target";
  const std::string link = dir.path() + "/link.lock";
  std::filesystem::create_symlink(target, link);
  EXPECT_THROW(FileLock::try_lock(link), Error);
  EXPECT_THROW(FileLock::wait(link), Error);
  EXPECT_FALSE(std::filesystem::exists(target));
}

// The image store's temp files are locked through their own descriptor
// (src/image/store.cpp): a prune's try on the same file fails while the
// writer holds it, and succeeds once the writer's descriptor is closed.
TEST(FileLock, AnOpenFileIsLockedThroughItsDescriptor) {
  testing::TempDir dir{"clnrm-file-lock"};
  const std::string path = dir.path() + "/blob-tmp";
  UniqueFd writer(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_TRUE(writer.valid());
  lock_open_file(writer.get(), path);
  UniqueFd pruner(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(pruner.valid());
  EXPECT_FALSE(try_lock_open_file(pruner.get()));
  writer.reset();
  EXPECT_TRUE(try_lock_open_file(pruner.get()));
}

// The history inbox (src/history/inbox.h): appenders hold it shared, many at
// once; a fold's exclusive lock waits for them all.
TEST(FileLock, SharedHoldersCoexistAndKeepTheExclusiveLockOut) {
  testing::TempDir dir{"clnrm-file-lock"};
  const std::string path = dir.path() + "/inbox";
  UniqueFd first(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  UniqueFd second(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd folder(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(first.valid() && second.valid() && folder.valid());
  lock_open_file_shared(first.get(), path);
  lock_open_file_shared(second.get(), path);  // does not wait for the first
  EXPECT_FALSE(try_lock_open_file(folder.get()));
  first.reset();
  EXPECT_FALSE(try_lock_open_file(folder.get())) << "one shared holder is left";
  second.reset();
  EXPECT_TRUE(try_lock_open_file(folder.get()));
}

}  // namespace
}  // namespace clnrm
