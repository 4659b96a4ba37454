// The sandbox's process-wide caches (security_plan.cpp's seccomp programs,
// root_view.cpp's shared-directory views) answer during exit(): a backend
// held in a static (the tests' sandbox_backend(), a library user's) may still
// be making a standby pod on its worker thread while exit() runs the
// destructors of statics made after the backend. CI once crashed that way,
// after the test had passed (SandboxImage.ABackendWithoutAResolverRunsNoImage:
// the worker looked a policy up in a destroyed map).
//
// Each case runs in a fresh process (death test, "threadsafe" style: the
// binary is started again for this test alone), registers an exit handler
// before the cache exists (handlers and static destructors run in reverse
// order of registration, so the handler runs after any destructor the cache
// registers), fills the cache, and exits: the handler asks again. A
// destroyed map is walked through freed nodes and crashes, or answers with
// another entry; the handler checks the answer too.
#include "backend/sandbox/root_view.h"
#include "backend/sandbox/security.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace clnrm::sandbox {
namespace {

const std::vector<std::string>& denied() {
  // Never destroyed, like the caches: the exit handler reads it.
  static const auto& list = *new std::vector<std::string>{"keyctl", "add_key", "request_key"};
  return list;
}

const sock_fprog* first_program = nullptr;

void ask_the_seccomp_cache_again() {
  const sock_fprog* again = seccomp_program(denied(), true);
  std::fputs(again == first_program ? "same program\n" : "another program\n", stderr);
  std::_Exit(again == first_program ? 0 : 1);
}

TEST(SandboxCachesAtExit, TheSeccompProgramCacheAnswersAfterStaticDestructors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::atexit(ask_the_seccomp_cache_again);
        first_program = seccomp_program(denied(), true);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "same program");
}

std::shared_ptr<const RootView>* first_view = nullptr;
std::shared_ptr<const RootView>* system_view = nullptr;
clnrm::testing::TempDir* shared_dir = nullptr;

void ask_the_view_cache_again() {
  const auto again = add_shared_dirs(*system_view, {shared_dir->path()}, {});
  const bool same = again == *first_view;
  delete shared_dir;  // removes the directory: _Exit runs no destructor
  std::fputs(same ? "same view\n" : "another view\n", stderr);
  std::_Exit(same ? 0 : 1);
}

TEST(SandboxCachesAtExit, TheSharedDirectoryViewCacheAnswersAfterStaticDestructors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        // Held on the heap: the handler runs after every static destructor,
        // and deletes the directory itself.
        shared_dir = new clnrm::testing::TempDir("clnrm-caches-at-exit");
        system_view = new std::shared_ptr<const RootView>(std::make_shared<RootView>());
        std::atexit(ask_the_view_cache_again);
        first_view = new std::shared_ptr<const RootView>(add_shared_dirs(*system_view, {shared_dir->path()}, {}));
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "same view");
}

}  // namespace
}  // namespace clnrm::sandbox
