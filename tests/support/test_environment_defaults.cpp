// Linked into the test and benchmark binaries only (CMakeLists.txt,
// clnrm_build_tree_helper): before main, every clnrm these binaries start
// (and run in-process) gets these defaults unless the environment says
// otherwise.
//
// CLNRM_PULL=never: `clnrm run` asks a registry for an image no local place
// has (--pull missing, docs/images.md): for a name without a host that is
// registry-1.docker.io. No test may reach the network; a test that pulls
// says --pull on its command line, from a loopback registry
// (tests/support/loopback_registry.h).
//
// CLNRM_DOCKER_POOL=0: a docker `clnrm run` leaves fresh containers for the
// next run (docs/docker-backend.md, "Fresh pool"); a suite of a hundred
// docker tests would leave and refill them in the background of every other
// test, and tests that count what a run leaves would see them. The pool's
// own tests (tests/e2e/run_docker_pool_test.cpp) lift it.
#include <cstdlib>

namespace {

[[maybe_unused]] const bool kTestEnvironmentDefaults = [] {
  ::setenv("CLNRM_PULL", "never", /*overwrite=*/0);
  ::setenv("CLNRM_DOCKER_POOL", "0", /*overwrite=*/0);
  return true;
}();

}  // namespace
