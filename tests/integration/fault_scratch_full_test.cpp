// Fault injection: a step fills its cleanroom's scratch space or its memory.
// /tmp (with the workdir), /run, /var/tmp and /dev/shm are one tmpfs inside
// the pod with one size= (half the pod's memory limit, 1 GiB without one:
// SandboxOptions::scratch_mb), so the writer gets ENOSPC and the pod goes on; a step that allocates past
// the memory limit is the OOM killer's victim, never the pod's init (which
// may share the runner's memory: killing it would take the runner too, see
// src/backend/sandbox/pod_init_launcher.cpp). The fault stays in its cleanroom.
// ctest runs this suite twice: nested steps, and direct steps under pod init
// (integration.sandbox_direct_steps).
#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <future>

#include "backend/sandbox/sanitized_build.h"
#include "integration/sandbox_test_support.h"

namespace clnrm {
namespace {

using testing::make_test_pod;
using testing::run;
using testing::shell;

// A medium pod allowed 32 MiB: 16 MiB of scratch.
std::unique_ptr<Pod> pod_of_32_mib(const std::string& name) {
  LimitsSpec limits;
  limits.memory_mb = 32;
  return make_test_pod(name, SecurityLevel::Medium, limits);
}

bool memory_limited_by_cgroup(Pod& pod) {
  for (const auto& l : pod.enforced_limits()) {
    if (l.what == "memory" && l.mechanism.find("cgroup") != std::string::npos) return true;
  }
  return false;
}

// The size= of the tmpfs mounted on `path` in the pod (the last mount there:
// the pod's copy of the host's mount table may have one underneath).
std::string tmpfs_size(Pod& pod, const std::string& path) {
  const auto r =
      run(pod, shell("awk '$2 == \"" + path + "\" && $3 == \"tmpfs\" { o = $4 } END { print o }' /proc/mounts"));
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  const auto at = r.stdout_data.find("size=");
  if (at == std::string::npos) return "no size= in '" + r.stdout_data + "'";
  return r.stdout_data.substr(at + 5, r.stdout_data.find_first_of(",\n", at) - at - 5);
}

TEST(FaultScratchFull, FillingTheScratchTmpfsIsENOSPCForTheWriterAndThePodGoesOn) {
  auto pod = pod_of_32_mib("scratch_full");
  ASSERT_TRUE(memory_limited_by_cgroup(*pod)) << "memory is not limited by a cgroup here";
  EXPECT_EQ(tmpfs_size(*pod, "/tmp"), "16384k");
  EXPECT_EQ(tmpfs_size(*pod, "/dev/shm"), "16384k");

  // One budget, not one per mount: 10 MiB in /tmp leave no room for 10 in
  // /dev/shm.
  const auto shared = run(*pod, shell("dd if=/dev/zero of=/tmp/a bs=1M count=10 2>/dev/null && "
                                      "dd if=/dev/zero of=/dev/shm/b bs=1M count=10 2>&1; echo rc=$?; rm -f /tmp/a /dev/shm/b"));
  EXPECT_NE(shared.stdout_data.find("No space left on device"), std::string::npos) << shared.stdout_data;
  EXPECT_EQ(shared.stdout_data.find("rc=0"), std::string::npos) << shared.stdout_data;

  // 256 MiB into a pod allowed 32 MiB, 16 of them for /tmp.
  const auto fill = run(*pod, shell("dd if=/dev/zero of=/tmp/fill bs=1M count=256 2>&1; echo rc=$?"));
  EXPECT_NE(fill.stdout_data.find("No space left on device"), std::string::npos) << fill.stdout_data;
  EXPECT_EQ(fill.stdout_data.find("rc=0"), std::string::npos) << fill.stdout_data;

  // The same pod still works: its init and fork server were not touched.
  const auto after = run(*pod, shell("rm /tmp/fill && echo alive > /tmp/x && cat /tmp/x"));
  EXPECT_EQ(after.exit_code, 0) << after.stderr_data;
  EXPECT_EQ(after.stdout_data, "alive\n");

  auto destroyed = std::async(std::launch::async, [&] { pod->destroy(); });
  ASSERT_EQ(destroyed.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "destroy hangs";
  destroyed.get();
}

// What an OOM kill in `pod` may have cost: nothing when pod init shares the
// runner's memory (a vfork child, never the victim: the pod goes on). In a
// sanitized build pod init is a copy of the instrumented runner, whose own
// copy-on-write faults are charged to the pod: it may be the victim, which
// ends the pod and nothing else -- the next pod works.
void expect_the_pod_goes_on(Pod& pod) {
  if (sandbox::kSanitized) {
    try {
      run(pod, shell("echo next"));
    } catch (const Error&) {
    }
    auto next_pod = make_test_pod("after_oom");
    const auto r = run(*next_pod, shell("echo next"));
    EXPECT_EQ(r.stdout_data, "next\n") << r.stderr_data;
    return;
  }
  for (int i = 0; i < 3; ++i) {
    const auto next = run(pod, shell("echo next"));
    EXPECT_EQ(next.exit_code, 0) << next.stderr_data;
    EXPECT_EQ(next.stdout_data, "next\n");
  }
}

// A step of `pod` that runs out of memory: its result, or -1 for an Error
// (only possible in a sanitized build, see above).
int exit_of_oom_step(Pod& pod, const std::string& script, std::string* out) {
  try {
    const auto r = run(pod, shell(script));
    *out = r.stdout_data + r.stderr_data;
    return r.exit_code;
  } catch (const Error& e) {
    EXPECT_TRUE(sandbox::kSanitized) << e.describe();
    *out = e.describe();
    return -1;
  }
}

TEST(FaultScratchFull, WithoutAMemoryLimitTheScratchTmpfsHasOneGiB) {
  auto pod = make_test_pod("scratch_default", SecurityLevel::Low);
  EXPECT_EQ(tmpfs_size(*pod, "/tmp"), "1048576k");
  EXPECT_EQ(tmpfs_size(*pod, "/dev/shm"), "1048576k");
}

TEST(FaultScratchFull, AStepAllocatingPastTheMemoryLimitIsTheOomVictimNotThePod) {
  auto pod = pod_of_32_mib("oom_victim");
  ASSERT_TRUE(memory_limited_by_cgroup(*pod)) << "memory is not limited by a cgroup here";
  // 96 MiB of touched anonymous memory in a pod allowed 32.
  std::string out;
  const int code = exit_of_oom_step(*pod, "exec python3 -c 'b = bytearray(96 << 20); print(len(b))'", &out);
  if (code != -1) {
    EXPECT_EQ(code, 128 + SIGKILL) << out;
  }
  EXPECT_EQ(out.find("100663296"), std::string::npos) << out;
  // Pod init survived the OOM kill (and with it, the runner).
  expect_the_pod_goes_on(*pod);
}

// Three tmpfs of 16 MiB each fill a 32 MiB pod: the memory cgroup runs out
// with memory no process holds, so every process of the pod is a candidate,
// and pod init -- which shares the runner's address space and looks as big
// as the runner -- would be the OOM killer's first pick if it were not a
// vfork child (in_vfork()). Its death would kill the runner with it.
TEST(FaultScratchFull, ScratchFillingThePodsMemoryKillsAStepNeverPodInit) {
  auto pod = pod_of_32_mib("oom_tmpfs");
  ASSERT_TRUE(memory_limited_by_cgroup(*pod)) << "memory is not limited by a cgroup here";
  std::string out;
  exit_of_oom_step(*pod,
                   "for f in /tmp/a /tmp/work/b /dev/shm/c; do "
                   "dd if=/dev/zero of=$f bs=1M count=15 2>/dev/null || exit 3; done; echo filled",
                   &out);
  EXPECT_EQ(out.find("filled"), std::string::npos) << "45 MiB of tmpfs fit into a 32 MiB pod";
  if (!sandbox::kSanitized) {
    const auto cleaned = run(*pod, shell("rm -f /tmp/a /tmp/work/b /dev/shm/c; echo cleaned"));
    EXPECT_EQ(cleaned.stdout_data, "cleaned\n") << cleaned.stderr_data;
  }
  expect_the_pod_goes_on(*pod);
}

}  // namespace
}  // namespace clnrm
