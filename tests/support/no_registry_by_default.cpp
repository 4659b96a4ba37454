// Linked into the test and benchmark binaries only (CMakeLists.txt,
// clnrm_build_tree_helper). `clnrm run` asks a registry for an image no
// local place has (--pull missing, docs/images.md): for a name without a
// host that is registry-1.docker.io. No test may reach the network, so
// before main every clnrm these binaries start (and run in-process) takes
// CLNRM_PULL=never unless the environment says otherwise; a test that pulls
// says --pull on its command line, from a loopback registry
// (tests/support/loopback_registry.h).
#include <cstdlib>

namespace {

[[maybe_unused]] const bool kNoRegistryByDefault = [] {
  ::setenv("CLNRM_PULL", "never", /*overwrite=*/0);
  return true;
}();

}  // namespace
