// Steps in a real sandbox pod: output capture, exit codes, environment,
// timeouts, cancellation, limits on output, resource usage.
#include "integration/sandbox_test_support.h"

#include <clnrm/error.h>

#include <signal.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <thread>

namespace clnrm::testing {
namespace {

TEST(SandboxExec, EchoOutputIsCaptured) {
  auto pod = make_test_pod("echo");
  const ExecResult r = run(*pod, command({"/bin/echo", "hello", "world"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_data, "hello world\n");
  EXPECT_EQ(r.stderr_data, "");
}

TEST(SandboxExec, StdoutAndStderrAreSeparate) {
  auto pod = make_test_pod("streams");
  const ExecResult r = run(*pod, shell("echo out; echo err >&2; echo out2"));
  EXPECT_EQ(r.stdout_data, "out\nout2\n");
  EXPECT_EQ(r.stderr_data, "err\n");
}

TEST(SandboxExec, ExitCodesArePassedThrough) {
  auto pod = make_test_pod("exit-codes");
  EXPECT_EQ(run(*pod, shell("exit 3")).exit_code, 3);
  EXPECT_EQ(run(*pod, command({"false"})).exit_code, 1);
  EXPECT_EQ(run(*pod, shell("exit 137")).exit_code, 137);
  EXPECT_EQ(run(*pod, shell("exit 137")).term_signal, 0);
}

TEST(SandboxExec, KilledBySignalIs128PlusSignal) {
  auto pod = make_test_pod("signal");
  const ExecResult r = run(*pod, shell("kill -SEGV $$"));
  EXPECT_EQ(r.term_signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, 128 + SIGSEGV);
}

TEST(SandboxExec, CommandNotFoundIs127WithMessage) {
  auto pod = make_test_pod("not-found");
  const ExecResult r = run(*pod, command({"no-such-command-xyz", "arg"}));
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.stderr_data.find("no-such-command-xyz: command not found"), std::string::npos) << r.stderr_data;
  const ExecResult abs = run(*pod, command({"/no/such/file"}));
  EXPECT_EQ(abs.exit_code, 127);
}

TEST(SandboxExec, NotExecutableIs126) {
  auto pod = make_test_pod("not-exec");
  ASSERT_EQ(run(*pod, shell("echo data > plain && chmod 644 plain")).exit_code, 0);
  const ExecResult r = run(*pod, command({"./plain"}));
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_NE(r.stderr_data.find("permission denied"), std::string::npos) << r.stderr_data;
}

TEST(SandboxExec, EnvironmentIsExactlyTheDocumentedSet) {
  auto pod = make_test_pod("env-test");
  ProcessSpec spec = command({"/usr/bin/env"}, "show-env");
  spec.env = {{"EXTRA", "1"}, {"LANG", "C"}};
  const ExecResult r = run(*pod, spec);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  std::vector<std::string> lines;
  std::string line;
  for (char c : r.stdout_data) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  std::sort(lines.begin(), lines.end());
  const std::vector<std::string> expected = {
      "CLNRM_STEP=show-env", "CLNRM_TEST=env-test", "EXTRA=1", "HOME=/tmp/work", "LANG=C",
      std::string("PATH=") + kSandboxPath, "TZ=UTC"};
  EXPECT_EQ(lines, expected);
}

TEST(SandboxExec, WorkdirIsTheCwdAndStdinIsEmpty) {
  auto pod = make_test_pod("cwd");
  const ExecResult r = run(*pod, shell("pwd; cat; echo end"));
  EXPECT_EQ(r.stdout_data, "/tmp/work\nend\n");
}

TEST(SandboxExec, StdinDataIsFed) {
  auto pod = make_test_pod("stdin");
  ProcessSpec spec = command({"/bin/cat"});
  spec.stdin_data = std::string(300000, 'x');  // more than a pipe buffer
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data.size(), 300000u);
}

TEST(SandboxExec, OutputLimitIsRespected) {
  auto pod = make_test_pod("limit");
  ProcessSpec spec = shell("head -c 1000000 /dev/zero; head -c 5000 /dev/zero >&2");
  spec.output_limit = 1000;
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0);  // the rest is read and dropped, the step does not block
  EXPECT_EQ(r.stdout_data.size(), 1000u);
  EXPECT_EQ(r.stderr_data.size(), 1000u);
}

TEST(SandboxExec, HugeCommandLinesFallBackToTheRunnerForkedPath) {
  // More than one fork-server message can carry: the step still runs, the
  // same way (fresh PID namespace, same environment, same workdir).
  auto pod = make_test_pod("huge-argv");
  ProcessSpec spec = shell("echo $# $PWD $CLNRM_STEP; sleep 1000 & exit 0", "huge");
  for (int i = 0; i < 3000; ++i) spec.argv.push_back(std::string(100, 'a'));
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "2999 /tmp/work huge\n");
  ProcessSpec timeout_spec = spec;
  timeout_spec.argv[2] = "sleep 1000";
  timeout_spec.timeout = std::chrono::milliseconds(200);
  const ExecResult t = run(*pod, timeout_spec);
  EXPECT_TRUE(t.timed_out);
  EXPECT_EQ(t.exit_code, 128 + SIGKILL);
}

TEST(SandboxExec, ResourceUsageIsPopulated) {
  auto pod = make_test_pod("usage");
  const ExecResult r = run(*pod, shell("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GT(r.usage.wall.count(), 0);
  EXPECT_GT((r.usage.user_cpu + r.usage.system_cpu).count(), 0);
  EXPECT_GT(r.usage.max_rss_kb, 0);
}

TEST(SandboxExec, TimeoutKillsTheStepAndItsChildren) {
  auto pod = make_test_pod("timeout");
  const std::string marker = unique_marker("tmo");
  ProcessSpec spec = shell("sleep 1000 & sleep 1000 & sh -c 'sleep 1000' & wait; : " + marker);
  spec.env = {{"MARKER", marker}};
  spec.timeout = std::chrono::milliseconds(300);
  const ExecResult r = run(*pod, spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_TRUE(host_processes_with(marker).empty());
}

TEST(SandboxExec, DaemonForkedByAStepLeavesNothing) {
  auto pod = make_test_pod("daemon");
  const std::string marker = unique_marker("daemon");
  ProcessSpec spec = shell("sleep 1000 & exit 0");
  spec.env = {{"MARKER", marker}};
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(host_processes_with(marker).empty());
  // and the pod is still usable
  EXPECT_EQ(run(*pod, command({"true"})).exit_code, 0);
}

TEST(SandboxExec, CancelStopsARunningStepPromptly) {
  auto pod = make_test_pod("cancel");
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  const ExecResult r = pod->exec(shell("sleep 1000"), cancel);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
  // Not a timing assertion on speed: only that it did not run to completion.
  EXPECT_LT(took, std::chrono::seconds(100));
}

std::size_t open_fds() { return proc_entries("/proc/self/fd"); }

TEST(SandboxExec, ConcurrentStepsInOnePodAndNoDescriptorLeaks) {
  // A backend of its own without standby pods: a spare made in the background
  // holds descriptors of its own, which would blur the leak check.
  SandboxOptions options;
  options.standby_pods = 0;
  auto backend = make_sandbox_backend(options);
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = "concurrent";
  spec.sequential_steps = std::getenv("CLNRM_TEST_SEQUENTIAL_STEPS") != nullptr;
  auto pod = backend->create_pod(spec);
  run(*pod, command({"true"}));  // warm up lazily created state
  const std::size_t fds_before = open_fds();
  constexpr int kThreads = 6;
  constexpr int kSteps = 15;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSteps; ++i) {
        const std::string word = "t" + std::to_string(t) + "-" + std::to_string(i);
        ProcessSpec spec = shell("echo " + word + "; echo " + word + " >&2; exit " + std::to_string(i % 3));
        const ExecResult r = run(*pod, spec);
        if (r.stdout_data == word + "\n" && r.stderr_data == word + "\n" && r.exit_code == i % 3) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), kThreads * kSteps);
  EXPECT_EQ(open_fds(), fds_before);
}

TEST(SandboxExec, DestroyWhileStepsRunKillsThemAndTheyReturn) {
  auto pod = make_test_pod("destroy-running");
  const std::string marker = unique_marker("destroy-running");
  std::atomic<int> returned{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      try {
        ProcessSpec spec = shell("sleep 1000; : " + marker);
        const ExecResult r = run(*pod, spec);
        if (r.term_signal == SIGKILL) ++returned;
      } catch (const Error&) {
        ++returned;  // started after the destroy: refused
      }
    });
  }
  for (int i = 0; i < 500 && host_processes_with(marker).size() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pod->destroy();
  for (auto& th : threads) th.join();
  EXPECT_EQ(returned.load(), 4);
  EXPECT_TRUE(host_processes_with(marker).empty());
}

TEST(SandboxExec, EmptyCommandIsAConfigError) {
  auto pod = make_test_pod("empty");
  try {
    run(*pod, command({}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
  }
}

// A busybox rootfs (busybox-static from setup-deps) under /var/tmp, removed after.
class RootfsDir {
 public:
  RootfsDir() : path_("/var/tmp/clnrm-rootfs-" + std::to_string(getpid())) {
    for (const char* d : {"", "/bin", "/tmp", "/proc", "/dev", "/etc"}) std::filesystem::create_directories(path_ + d);
    std::filesystem::copy_file("/bin/busybox", path_ + "/bin/busybox");
    for (const char* tool : {"sh", "cat", "ls", "echo", "touch"}) std::filesystem::create_symlink("busybox", path_ + "/bin/" + tool);
    std::ofstream(path_ + "/etc/os-release") << "ID=clnrm-test-rootfs\n";
  }
  ~RootfsDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SandboxExec, StepRunsInsideARootfsDirectory) {
  RootfsDir rootfs;
  auto pod = make_test_pod("rootfs", SecurityLevel::Medium, {}, {rootfs.path()});
  ASSERT_EQ(run(*pod, shell("echo from-pod > shared")).exit_code, 0);
  ProcessSpec spec = shell("cat /etc/os-release; cat shared; pwd; ls /bin | wc -l; echo x > /etc/new 2>/dev/null || echo ro");
  spec.rootfs = rootfs.path();
  const ExecResult r = run(*pod, spec);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  // The rootfs's own files, the pod's workdir (shared with other steps), read-only.
  EXPECT_EQ(r.stdout_data, "ID=clnrm-test-rootfs\nfrom-pod\n/tmp/work\n6\nro\n") << r.stderr_data;
  EXPECT_FALSE(std::filesystem::exists(rootfs.path() + "/etc/new"));
  // The next step without rootfs is back on the pod's view of the host.
  EXPECT_NE(run(*pod, command({"cat", "/etc/debian_version"})).stdout_data, "");
}

TEST(SandboxExec, RootfsWithoutMountPointsIsAConfigError) {
  auto pod = make_test_pod("rootfs-bad");
  ProcessSpec spec = command({"true"});
  spec.rootfs = "/usr/share";
  try {
    run(*pod, spec);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("/tmp"), std::string::npos) << e.what();
  }
}

TEST(SandboxExec, DestroyedPodRefusesToExec) {
  auto pod = make_test_pod("destroyed");
  pod->destroy();
  pod->destroy();  // idempotent
  EXPECT_THROW(run(*pod, command({"true"})), Error);
}

TEST(SandboxExec, ProbeReportsSupport) {
  EXPECT_EQ(probe_sandbox_support().blocker(), std::nullopt);
}

}  // namespace
}  // namespace clnrm::testing
