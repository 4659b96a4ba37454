// Direct steps (PodSpec::sequential_steps): a step runs straight under the
// pod's init, which kills and reaps whatever the step left in the pod before
// it reports. These check that the shortcut keeps every guarantee of a step
// in a nested PID namespace.
#include "integration/sandbox_test_support.h"

#include <clnrm/error.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace clnrm::testing {
namespace {

std::unique_ptr<Pod> sequential_pod(const std::string& name, SecurityLevel level = SecurityLevel::Medium) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = level;
  spec.sequential_steps = true;
  return sandbox_backend().create_pod(spec);
}

// Processes of the pod other than its init, as a step sees them.
int other_processes(Pod& pod) {
  const ExecResult r = run(pod, shell("n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n"));
  // The counting shell itself and pod init are always there.
  return std::atoi(r.stdout_data.c_str()) - 2;
}

TEST(SandboxDirectStep, StepsRunUnderThePodInit) {
  auto pod = sequential_pod("direct-ppid");
  // The command's parent is PID 1 of the pod (its init), not a step init.
  const ExecResult r = run(*pod, shell("cat /proc/$PPID/comm; echo $PPID"));
  EXPECT_EQ(r.stdout_data, "clnrm-pod\n1\n");
}

TEST(SandboxDirectStep, DaemonLeftByAStepIsGoneBeforeTheNextStep) {
  auto pod = sequential_pod("direct-daemon");
  const std::string marker = unique_marker("direct-daemon");
  ProcessSpec spec = shell("setsid sleep 1000 </dev/null >/dev/null 2>&1 & sleep 1000 & echo started");
  spec.env = {{"MARKER", marker}};
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data, "started\n");
  EXPECT_TRUE(host_processes_with(marker).empty());
  EXPECT_EQ(other_processes(*pod), 0);
}

TEST(SandboxDirectStep, DaemonHoldingStdoutDoesNotHangTheStep) {
  auto pod = sequential_pod("direct-stdout");
  // The background sleep keeps the step's stdout open: the step still ends
  // when its command does, because pod init kills the rest.
  const ExecResult r = run(*pod, shell("sleep 1000 & echo done"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data, "done\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(SandboxDirectStep, TimeoutKillsTheCommandAndEverythingItStarted) {
  auto pod = sequential_pod("direct-timeout");
  const std::string marker = unique_marker("direct-timeout");
  ProcessSpec spec = shell("setsid sleep 1000 & sleep 1000");
  spec.env = {{"MARKER", marker}};
  spec.timeout = std::chrono::milliseconds(300);
  const ExecResult r = run(*pod, spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_TRUE(host_processes_with(marker).empty());
  EXPECT_EQ(other_processes(*pod), 0);
}

TEST(SandboxDirectStep, ExitStatusSignalAndUsageAreReported) {
  auto pod = sequential_pod("direct-status");
  EXPECT_EQ(run(*pod, shell("exit 7")).exit_code, 7);
  const ExecResult sig = run(*pod, shell("kill -TERM $$"));
  EXPECT_EQ(sig.term_signal, SIGTERM);
  EXPECT_EQ(sig.exit_code, 128 + SIGTERM);
  const ExecResult busy = run(*pod, shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"));
  EXPECT_EQ(busy.exit_code, 0);
  EXPECT_GT(busy.usage.user_cpu + busy.usage.system_cpu, std::chrono::microseconds(0));
  EXPECT_GT(busy.usage.max_rss_kb, 0);
  EXPECT_EQ(run(*pod, command({"no-such-command-direct"})).exit_code, 127);
}

TEST(SandboxDirectStep, FilesPersistBetweenStepsOfThePod) {
  auto pod = sequential_pod("direct-files");
  ASSERT_EQ(run(*pod, shell("echo kept > state && echo kept > /tmp/state")).exit_code, 0);
  EXPECT_EQ(run(*pod, shell("cat state /tmp/state")).stdout_data, "kept\nkept\n");
}

TEST(SandboxDirectStep, AServiceStartedLaterSurvivesTheSteps) {
  auto pod = sequential_pod("direct-service");
  EXPECT_EQ(run(*pod, shell("sleep 1000 & true")).exit_code, 0);
  auto service = pod->start_service(shell("echo up; exec sleep 1000", "svc"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run(*pod, shell("sleep 1000 & true")).exit_code, 0);
  EXPECT_TRUE(service->running());
  service->stop(std::chrono::seconds(1));
}

TEST(SandboxDirectStep, ConcurrentExecsAreSerialisedAndAllSucceed) {
  auto pod = sequential_pod("direct-concurrent");
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string word = "w" + std::to_string(t) + "-" + std::to_string(i);
        const ExecResult r = run(*pod, shell("sleep 1000 & echo " + word));
        if (r.exit_code == 0 && r.stdout_data == word + "\n") ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 20);
  EXPECT_EQ(other_processes(*pod), 0);
}

TEST(SandboxDirectStep, DestroyDuringADirectStepReturnsIt) {
  auto pod = sequential_pod("direct-destroy");
  const std::string marker = unique_marker("direct-destroy");
  std::atomic<bool> returned{false};
  std::thread step([&] {
    try {
      ProcessSpec spec = shell("sleep 1000; : " + marker);
      const ExecResult r = run(*pod, spec);
      returned = r.term_signal == SIGKILL;
    } catch (const Error&) {
      // Destroyed between the command's exec and pod init's reply: the
      // request fails, which is a clean return too.
      returned = true;
    }
  });
  for (int i = 0; i < 500 && host_processes_with(marker).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pod->destroy();
  step.join();
  EXPECT_TRUE(returned.load());
  EXPECT_TRUE(host_processes_with(marker).empty());
}

TEST(SandboxDirectStep, HighLevelSecurityAppliesToDirectSteps) {
  auto pod = sequential_pod("direct-high", SecurityLevel::High);
  EXPECT_EQ(run(*pod, shell("grep CapEff /proc/self/status")).stdout_data, "CapEff:\t0000000000000000\n");
  EXPECT_NE(run(*pod, shell("mkdir -p d && mount -t tmpfs none d")).exit_code, 0);
  EXPECT_EQ(run(*pod, shell("grep -c '^Seccomp:.*2' /proc/self/status")).stdout_data, "1\n");
}

}  // namespace
}  // namespace clnrm::testing
