// A pod init cloned before the first test is known (include/clnrm/sandbox.h,
// start_early_pod_init; src/backend/sandbox/early_pod_init.h): the first pod
// of its kind takes it, set up as any pod; a first pod of another kind, or
// the hold's end, kills and reaps it.
#include <clnrm/sandbox.h>

#include "backend/sandbox/early_pod_init.h"
#include "backend/sandbox/sandbox_pod.h"
#include "base/proc_stat.h"
#include "integration/sandbox_test_support.h"

#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

namespace clnrm::testing {
namespace {

std::set<pid_t> children() {
  return children_where([](const ProcStat&) { return true; });
}

// The early pod init: the one new child of this process (it is cloned on a
// thread of its own, a moment after start_early_pod_init returns); -1 when
// none shows up within 3 s.
pid_t early_child(const std::set<pid_t>& before) {
  for (int i = 0; i < 300; ++i) {
    for (pid_t p : children()) {
      if (!before.count(p)) return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

bool alive_child(pid_t pid) { return children().count(pid) != 0; }

SandboxOptions on_demand() {
  SandboxOptions options;
  options.standby_pods = 0;  // the test's own create_pod takes it
  return options;
}

TEST(SandboxEarlyPodInit, TheFirstPodOfItsKindTakesItSetUpAsAnyPod) {
  ASSERT_EQ(::geteuid(), 0u) << "the sandbox suites run as root (CI does)";
  const std::set<pid_t> before = children();
  EarlyPodInitHold hold = start_early_pod_init();
  ASSERT_TRUE(sandbox::early_pod_init_pending());
  const pid_t early = early_child(before);
  ASSERT_GT(early, 0);

  auto backend = make_sandbox_backend(on_demand());
  PodSpec spec = spec_named("early-taken", SecurityLevel::Medium);
  spec.determinism = DeterminismSpec{};  // its hostname comes with the rest, after the go
  auto pod = backend->create_pod(spec);
  EXPECT_FALSE(sandbox::early_pod_init_pending());
  EXPECT_EQ(dynamic_cast<sandbox::SandboxPod&>(*pod).init_pid(), early) << "taken, not cloned anew";
  // Set up like any pod: its hostname, loopback up (flags 0x9: UP |
  // LOOPBACK), its identity, the host's password hashes covered (the late
  // list), its name.
  const ExecResult r = run(*pod, shell("hostname; cat /sys/class/net/lo/flags; id -u; "
                                       "test -s /etc/shadow && echo readable || echo covered; echo $CLNRM_TEST"));
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "clnrm\n0x9\n0\ncovered\nearly-taken\n");
  pod->destroy();
  EXPECT_FALSE(alive_child(early));
}

TEST(SandboxEarlyPodInit, AFirstPodOfAnotherKindKillsIt) {
  ASSERT_EQ(::geteuid(), 0u) << "the sandbox suites run as root (CI does)";
  const std::set<pid_t> before = children();
  EarlyPodInitHold hold = start_early_pod_init();
  const pid_t early = early_child(before);
  ASSERT_GT(early, 0);

  // Level low: host root, no user namespace -- not the early one's kind.
  auto backend = make_sandbox_backend(on_demand());
  auto pod = backend->create_pod(spec_named("early-other-kind", SecurityLevel::Low));
  EXPECT_NE(dynamic_cast<sandbox::SandboxPod&>(*pod).init_pid(), early);
  EXPECT_FALSE(sandbox::early_pod_init_pending());
  EXPECT_FALSE(alive_child(early)) << "killed and reaped when the first pod was made";
  EXPECT_EQ(run(*pod, shell("echo $CLNRM_TEST")).stdout_data, "early-other-kind\n");
  // The next pod of the early one's kind makes its own.
  auto medium = backend->create_pod(spec_named("early-later", SecurityLevel::Medium));
  EXPECT_EQ(run(*medium, shell("id -u")).stdout_data, "0\n");
}

TEST(SandboxEarlyPodInit, TheHoldsEndKillsOneNoPodTook) {
  ASSERT_EQ(::geteuid(), 0u) << "the sandbox suites run as root (CI does)";
  const std::set<pid_t> before = children();
  pid_t early = -1;
  {
    EarlyPodInitHold hold = start_early_pod_init();
    early = early_child(before);
    ASSERT_GT(early, 0);
    EXPECT_TRUE(alive_child(early));
  }
  EXPECT_FALSE(sandbox::early_pod_init_pending());
  EXPECT_FALSE(alive_child(early)) << "killed and reaped as the hold went";
  EXPECT_EQ(children(), before);
}

}  // namespace
}  // namespace clnrm::testing
