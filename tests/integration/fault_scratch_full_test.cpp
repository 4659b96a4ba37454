// Fault injection: a step fills its cleanroom's scratch space (/tmp and the
// workdir are tmpfs inside the pod, mounted without a size: tmpfs pages are
// charged to the pod's memory cgroup). With a memory limit the fill cannot
// succeed; today the cgroup's OOM killer then takes the pod down (its fork
// server dies too, so the step fails with an Error) -- the fault stays in
// that cleanroom: destroying it does not hang, and a new pod works.
// (A tmpfs size= per pod would turn this into ENOSPC for the writer; see
// docs/RELIABILITY.md.)
#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <future>

#include "sandbox_test_support.h"

namespace clnrm {
namespace {

using testing::make_test_pod;
using testing::run;
using testing::shell;

TEST(FaultScratchFull, FillingTheScratchTmpfsIsBoundedByThePodMemoryLimit) {
  LimitsSpec limits;
  limits.memory_mb = 32;
  auto pod = make_test_pod("scratch_full", SecurityLevel::Medium, limits);
  bool memory_by_cgroup = false;
  for (const auto& l : pod->enforced_limits()) {
    if (l.what == "memory" && l.mechanism.find("cgroup") != std::string::npos) memory_by_cgroup = true;
  }
  ASSERT_TRUE(memory_by_cgroup) << "memory is not limited by a cgroup here: the scratch tmpfs is unbounded";

  // 256 MiB into a pod allowed 32 MiB: must not succeed.
  std::string outcome;
  try {
    const auto fill = run(*pod, shell("dd if=/dev/zero of=/tmp/fill bs=1M count=256 2>&1; echo rc=$?"));
    outcome = "exit " + std::to_string(fill.exit_code) + ": " + fill.stdout_data;
    EXPECT_EQ(fill.stdout_data.find("rc=0"), std::string::npos) << "256 MiB fit into a 32 MiB pod: " << outcome;
  } catch (const Error& e) {
    outcome = e.describe();  // the pod was OOM-killed: an error, not a hang or a pass
  }
  EXPECT_FALSE(outcome.empty());
  auto destroyed = std::async(std::launch::async, [&] {
    try {
      pod->destroy();
    } catch (const Error&) {
    }
  });
  ASSERT_EQ(destroyed.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "destroy hangs";
  destroyed.get();

  // The host and other cleanrooms are unaffected.
  auto next = make_test_pod("after_scratch_full");
  const auto r = run(*next, shell("echo alive > /tmp/x && cat /tmp/x"));
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "alive\n");
}

}  // namespace
}  // namespace clnrm
