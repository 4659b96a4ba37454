// Standby pods (SandboxOptions::standby_pods): made ahead of demand, fresh,
// named for the test that takes them, gone with the backend.
#include <clnrm/backend_choice.h>
#include <clnrm/error.h>

#include "backend/sandbox/sandbox_pod.h"
#include "base/proc_stat.h"
#include "integration/sandbox_test_support.h"

#include <chrono>
#include <set>
#include <string>
#include <thread>

namespace clnrm::testing {
namespace {

// Pod inits that are children of this process.
std::set<pid_t> pod_inits() {
  return children_where([](const ProcStat& s) { return s.command == "clnrm-pod"; });
}

pid_t init_of(Pod& pod) { return dynamic_cast<sandbox::SandboxPod&>(pod).init_pid(); }

// pod_inits() once it has not changed for 100 ms: other tests' backends (the
// shared one of sandbox_test_support.h) may still be making a spare.
std::set<pid_t> settled_pod_inits() {
  std::set<pid_t> last = pod_inits();
  for (int same = 0, i = 0; same < 10 && i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::set<pid_t> now = pod_inits();
    same = now == last ? same + 1 : 0;
    last = std::move(now);
  }
  return last;
}

TEST(SandboxStandby, TheNextPodOfAKindIsReadyFreshAndNamedForItsTest) {
  const std::set<pid_t> before = settled_pod_inits();
  auto backend = make_sandbox_backend();
  auto first = backend->create_pod(spec_named("standby-first"));
  ASSERT_EQ(run(*first, shell("echo secret > /tmp/left && echo $CLNRM_TEST")).stdout_data, "standby-first\n");
  // The backend prepares one more of this kind in the background.
  std::set<pid_t> spare;
  for (int i = 0; i < 300 && spare.empty(); ++i) {
    for (pid_t p : pod_inits()) {
      if (!before.count(p) && p != init_of(*first)) spare.insert(p);
    }
    if (spare.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(spare.size(), 1u);
  auto second = backend->create_pod(spec_named("standby-second"));
  EXPECT_EQ(init_of(*second), *spare.begin());  // taken, not made on demand
  // Fresh: nothing of the first pod, its own name, its own network.
  const ExecResult r = run(*second, shell("echo $CLNRM_TEST; cat /tmp/left 2>&1 || echo none"));
  EXPECT_EQ(r.stdout_data.substr(0, r.stdout_data.find('\n')), "standby-second");
  EXPECT_NE(r.stdout_data.find("none"), std::string::npos) << r.stdout_data;
  // Direct steps, as the spec asks (PodSpec::sequential_steps).
  EXPECT_EQ(run(*second, shell("cat /proc/$PPID/comm")).stdout_data, "clnrm-pod\n");

  // Another kind is not served by this spare.
  auto high = backend->create_pod(spec_named("standby-high", SecurityLevel::High));
  EXPECT_NE(init_of(*high), *spare.begin());
  EXPECT_EQ(run(*high, shell("grep CapEff /proc/self/status")).stdout_data, "CapEff:\t0000000000000000\n");

  first->destroy();
  second->destroy();
  high->destroy();
  backend.reset();
  // Spares go with the backend.
  for (int i = 0; i < 100 && pod_inits() != before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(pod_inits(), before);
}

TEST(SandboxStandby, ZeroMakesEveryPodOnDemand) {
  const std::set<pid_t> before = settled_pod_inits();
  SandboxOptions options;
  options.standby_pods = 0;
  auto backend = make_sandbox_backend(options);
  auto pod = backend->create_pod(spec_named("on-demand"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::set<pid_t> now = pod_inits();
  for (pid_t p : before) now.erase(p);
  EXPECT_EQ(now, std::set<pid_t>{init_of(*pod)});
}

// `--backend sandbox` for a run of one pod (one test, no repeats) makes no
// standby pod: nobody would take it; with more pods planned it does.
TEST(SandboxStandby, ARunOfOnePodMakesNoSpare) {
  const std::set<pid_t> before = settled_pod_inits();
  BackendChoiceOptions options;
  options.pods_planned = 1;
  std::shared_ptr<Backend> backend = make_backend("sandbox", {}, options);
  auto pod = backend->create_pod(spec_named("only-one"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::set<pid_t> now = pod_inits();
  for (pid_t p : before) now.erase(p);
  EXPECT_EQ(now, std::set<pid_t>{init_of(*pod)});
}

// The pod inits not in `known`, once there is one (waited for up to 3 s;
// none: an empty set).
std::set<pid_t> new_pod_inits(const std::set<pid_t>& known) {
  std::set<pid_t> found;
  for (int i = 0; i < 300 && found.empty(); ++i) {
    for (pid_t p : pod_inits())
      if (!known.count(p)) found.insert(p);
    if (found.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return found;
}

// Two pods planned: a spare is made for the second, and none after it.
TEST(SandboxStandby, ARunOfTwoPodsMakesASpareForTheSecondOnly) {
  const std::set<pid_t> before = settled_pod_inits();
  BackendChoiceOptions options;
  options.pods_planned = 2;
  std::shared_ptr<Backend> backend = make_backend("sandbox", {}, options);
  auto first = backend->create_pod(spec_named("first-of-two"));
  std::set<pid_t> known = before;
  known.insert(init_of(*first));
  const std::set<pid_t> spare = new_pod_inits(known);
  ASSERT_EQ(spare.size(), 1u);
  auto second = backend->create_pod(spec_named("second-of-two"));
  EXPECT_EQ(init_of(*second), *spare.begin());
  // No pod is to come after the second: no spare is made for it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::set<pid_t> now = pod_inits();
  for (pid_t p : before) now.erase(p);
  EXPECT_EQ(now, (std::set<pid_t>{init_of(*first), init_of(*second)}));
}

// Backend::expect_pod: the one pod of a run is made ahead, while the runner
// opens its history, and it is the pod create_pod then returns.
TEST(SandboxStandby, AnExpectedPodIsMadeAheadAndTaken) {
  const std::set<pid_t> before = settled_pod_inits();
  BackendChoiceOptions options;
  options.pods_planned = 2;
  std::shared_ptr<Backend> backend = make_backend("sandbox", {}, options);
  backend->expect_pod(spec_named("expected"));
  const std::set<pid_t> ahead = new_pod_inits(before);
  ASSERT_EQ(ahead.size(), 1u);
  auto pod = backend->create_pod(spec_named("expected"));
  EXPECT_EQ(init_of(*pod), *ahead.begin());
  EXPECT_EQ(run(*pod, shell("echo $CLNRM_TEST")).stdout_data, "expected\n");
}

// A run of one pod has no standby thread (sandbox_backend.cpp): expecting
// its pod makes nothing ahead, and the pod is made when asked for.
TEST(SandboxStandby, ARunOfOnePodMakesItsPodWhenAskedFor) {
  const std::set<pid_t> before = settled_pod_inits();
  const std::size_t threads = proc_entries("/proc/self/task");
  BackendChoiceOptions options;
  options.pods_planned = 1;
  std::shared_ptr<Backend> backend = make_backend("sandbox", {}, options);
  EXPECT_EQ(proc_entries("/proc/self/task"), threads) << "no standby thread";
  backend->expect_pod(spec_named("one"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(pod_inits(), before) << "nothing made ahead";
  auto pod = backend->create_pod(spec_named("one"));
  EXPECT_EQ(run(*pod, shell("echo $CLNRM_TEST")).stdout_data, "one\n");
}

// A standby pod is handed over once set going (SandboxPod::launch); its
// setup ends later. One whose setup failed (here: a workdir outside /tmp,
// which pod init cannot make in the read-only /usr) is destroyed when
// taken, and the test's own pod reports the failure under the test's name.
// Nothing of either is left: no pod init, no zombie.
TEST(SandboxStandby, ATakenPodWhoseSetupFailedIsReplacedByTheTestsOwnWhichReportsIt) {
  const std::set<pid_t> before = settled_pod_inits();
  SandboxOptions options;
  options.workdir = "/usr/clnrm-no-workdir-here";
  auto backend = make_sandbox_backend(options);
  const PodSpec spec = spec_named("setup-fails");
  backend->expect_pod(spec);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the launched pod init fails meanwhile
  try {
    backend->create_pod(spec);
    ADD_FAILURE() << "a pod was made with its workdir in /usr";
  } catch (const Error& e) {
    const std::string what = e.describe();
    EXPECT_NE(what.find("mkdir of the workdir"), std::string::npos) << what;
    EXPECT_NE(what.find("setup-fails"), std::string::npos) << what;  // the test's pod, not the standby's
  }
  backend.reset();
  EXPECT_EQ(pod_inits(), before);
  EXPECT_EQ(children_where([](const ProcStat& s) { return s.state == 'Z'; }), std::set<pid_t>{});  // all reaped
}

}  // namespace
}  // namespace clnrm::testing
