// Linked into the test and benchmark binaries only (CMakeLists.txt,
// clnrm_build_tree_helper): they live in build subdirectories, away from
// clnrm-seccomp-exec, so before main they tell the library where the build
// tree's helper is. The library has no build path of its own
// (src/backend/docker/seccomp_helper.h, set_seccomp_helper_fallback).
#include "backend/docker/seccomp_helper.h"

namespace {

[[maybe_unused]] const bool kHelperLocated = [] {
  clnrm::docker::set_seccomp_helper_fallback(CLNRM_SECCOMP_EXEC_BUILD_PATH);
  return true;
}();

}  // namespace
