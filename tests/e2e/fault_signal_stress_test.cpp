// Fault injection: SIGTERM or SIGINT at a random moment (seeded, so a failing
// run can be replayed) of `clnrm run`, over many runs (CLNRM_SIGNAL_RUNS,
// default 25 so the test fits ctest's 300 s timeout; the nightly job runs 50).
// After every run nothing may be left: no process of the tests
// (their command lines carry a marker), no new mount, network namespace,
// cgroup or temp dir. The runs catch the runner in every phase: starting
// pods, starting a service, waiting for readiness, running steps, tearing down.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e/run_process.h"

namespace {

namespace fs = std::filesystem;

std::set<std::string> lines_of(const std::string& path) {
  std::set<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

// Network namespaces any process is in (inode numbers of /proc/*/ns/net).
std::set<ino_t> network_namespaces() {
  std::set<ino_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st {};
    if (::stat((e.path() / "ns/net").c_str(), &st) == 0) out.insert(st.st_ino);
  }
  return out;
}

// cgroups of runner `pid` (v1: "<controller>/clnrm/<runner pid>-<pod id>")
// and anything in the runner's private TMPDIR.
std::set<std::string> leftover_paths(pid_t pid, const std::string& tmpdir) {
  std::set<std::string> out;
  std::error_code ec;
  const std::string prefix = std::to_string(pid) + "-";
  for (const auto& ctl : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    const fs::path parent = ctl.path() / "clnrm";
    if (!fs::is_directory(parent, ec)) continue;
    for (const auto& g : fs::directory_iterator(parent, ec)) {
      if (g.is_directory() && g.path().filename().string().rfind(prefix, 0) == 0) out.insert(g.path().string());
    }
  }
  for (const auto& t : fs::directory_iterator(tmpdir, ec)) out.insert(t.path().string());
  return out;
}

// Mounts in our (the host's) mount namespace, minus those of Docker engines
// and other fault tests that run on this machine at the same time.
std::set<std::string> host_mounts() {
  std::set<std::string> out;
  for (const auto& line : lines_of("/proc/mounts")) {
    if (line.find("docker") != std::string::npos || line.find("containerd") != std::string::npos ||
        line.find("/tmp/cfe-") != std::string::npos || line.find("clnrm-fault-") != std::string::npos) {
      continue;
    }
    out.insert(line);
  }
  return out;
}

template <class T>
std::set<T> added(const std::set<T>& before, const std::set<T>& after) {
  std::set<T> out;
  for (const auto& x : after) {
    if (!before.count(x)) out.insert(x);
  }
  return out;
}

// A run's output folder, with a TMPDIR of its own inside it (where
// leftover_paths looks, and gone with the folder).
struct RunDir {
  run_e2e::TempDir out;
  std::string tmpdir = out.path() + "/tmp";
  RunDir() { fs::create_directory(tmpdir); }
  std::vector<std::string> env() const { return {"TMPDIR=" + tmpdir}; }
};

void write_suite(const std::string& dir, const std::string& marker) {
  std::ofstream(dir + "/service.clnrm.toml") << R"([test.metadata]
name = "signal_service"
timeout = "60s"
[services.web]
plugin = "process"
args = ["/usr/bin/python3", "-c", "import http.server as h; h.HTTPServer(('127.0.0.1', 8000), h.SimpleHTTPRequestHandler).serve_forever() # )"
                                          << marker << R"("]
wait_for = { port = 8000, timeout = "20s" }
[[steps]]
name = "query"
command = ["sh", "-c", "curl -sS -o /dev/null http://127.0.0.1:8000/ && sleep 1 # )"
                                          << marker << R"("]
)";
  for (int i = 0; i < 4; ++i) {
    std::ofstream(dir + "/steps_" + std::to_string(i) + ".clnrm.toml")
        << "[test.metadata]\nname = \"signal_steps_" << i << "\"\ntimeout = \"60s\"\n"
        << "[[steps]]\nname = \"tree\"\ncommand = [\"sh\", \"-c\", \"sleep " << (i % 3) + 1
        << " & sleep 0.3; wait # " << marker << "\"]\n"
        << "[[steps]]\nname = \"short\"\ncommand = [\"sh\", \"-c\", \"echo ok # " << marker << "\"]\n";
  }
}

TEST(FaultSignalStress, SignalAtRandomMomentsLeavesNothingBehind) {
  const int runs = std::getenv("CLNRM_SIGNAL_RUNS") ? std::atoi(std::getenv("CLNRM_SIGNAL_RUNS")) : 25;
  run_e2e::TempDir suite;
  const std::string marker = "clnrm-signal-stress-" + std::to_string(::getpid());
  write_suite(suite.path(), marker);

  const auto mounts_before = host_mounts();
  const auto netns_before = network_namespaces();
  int interrupted = 0;
  for (int run = 0; run < runs; ++run) {
    std::mt19937 rng(static_cast<unsigned>(run));
    const int delay_ms = std::uniform_int_distribution<int>(0, 2500)(rng);
    const int sig = std::uniform_int_distribution<int>(0, 1)(rng) ? SIGTERM : SIGINT;
    SCOPED_TRACE("run " + std::to_string(run) + ": " + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + " after " +
                 std::to_string(delay_ms) + " ms");
    RunDir dir;
    run_e2e::Child c({"run", "--jobs", "2", suite.path()}, dir.out.path(), dir.env());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    c.signal(sig);
    const auto o = c.wait(std::chrono::seconds(60));
    // 130: cancelled; 0/1: it had finished before the signal arrived. Never
    // killed by our 60 s hang detector (137) or by the signal itself.
    EXPECT_TRUE(o.exit_code == 130 || o.exit_code == 0 || o.exit_code == 1) << o.exit_code << "\n" << o.err;
    if (o.exit_code == 130) ++interrupted;

    EXPECT_TRUE(run_e2e::no_process_left(marker)) << "processes left: " << run_e2e::processes_matching(marker).size();
    // A pod init shares the runner's memory, and so shows its command line.
    EXPECT_TRUE(run_e2e::no_process_left(suite.path())) << "pod init left: "
                                                        << run_e2e::processes_matching(suite.path()).size();
    // Teardown is synchronous before exit; a short grace covers the kernel
    // releasing namespaces of processes that were just reaped.
    std::set<std::string> new_mounts, new_paths;
    std::set<ino_t> new_netns;
    for (int i = 0; i < 50; ++i) {
      new_mounts = added(mounts_before, host_mounts());
      new_netns = added(netns_before, network_namespaces());
      new_paths = leftover_paths(c.pid(), dir.tmpdir);
      if (new_mounts.empty() && new_netns.empty() && new_paths.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(new_mounts.empty()) << "mount left: " << *new_mounts.begin();
    EXPECT_TRUE(new_paths.empty()) << "cgroup/temp dir left: " << *new_paths.begin();
    // Other engineers' tests run on this machine too: only namespaces held
    // by a process of ours count (the marker check above covers processes),
    // so report new namespaces but fail only with a process of ours in one.
    if (!new_netns.empty()) {
      EXPECT_TRUE(run_e2e::processes_matching(marker).empty()) << new_netns.size() << " new network namespaces";
    }
    if (::testing::Test::HasFailure()) break;  // the trace names the run to replay
  }
  // The delays must actually interrupt most runs, else this proves little.
  EXPECT_GE(interrupted, runs / 2) << "only " << interrupted << " of " << runs << " runs were interrupted";
}

// A signal in the runner's first milliseconds, while it plans and asks a
// standby worker for its first pods (whose groups it makes first): until
// 2026-12-07 SIGINT there ended the process at once, before the run's own
// handlers, and left a pod's groups (this test failed at its run 14).
// Seeded.
TEST(FaultSignalStress, ASignalWhileTheRunStartsLeavesNoGroup) {
  run_e2e::TempDir suite;
  const std::string marker = "clnrm-signal-early-" + std::to_string(::getpid());
  for (int i = 0; i < 4; ++i) {
    std::ofstream(suite.path() + "/early_" + std::to_string(i) + ".clnrm.toml")
        << "[test.metadata]\nname = \"early_" << i << "\"\n[[steps]]\nname = \"t\"\n"
        << "command = [\"sh\", \"-c\", \"sleep 0.2 # " << marker << "\"]\n";
  }
  std::mt19937 rng(17);
  for (int run = 0; run < 60; ++run) {
    const int delay_us = std::uniform_int_distribution<int>(2000, 20000)(rng);
    SCOPED_TRACE("run " + std::to_string(run) + ": SIGINT after " + std::to_string(delay_us) + " us");
    RunDir dir;
    run_e2e::Child c({"run", "--jobs", "2", suite.path()}, dir.out.path(), dir.env());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    c.signal(SIGINT);
    const auto o = c.wait(std::chrono::seconds(60));
    EXPECT_TRUE(o.exit_code == 130 || o.exit_code == 0) << o.exit_code << "\n" << o.err;
    EXPECT_TRUE(run_e2e::no_process_left(marker));
    EXPECT_TRUE(run_e2e::no_process_left(suite.path())) << "pod init left";
    std::set<std::string> left;
    for (int i = 0; i < 20; ++i) {
      left = leftover_paths(c.pid(), dir.tmpdir);
      if (left.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(left.empty()) << "cgroup/temp dir left: " << *left.begin();
    if (::testing::Test::HasFailure()) break;
  }
}

// SIGKILL of the runner in its first milliseconds, while its first pod init
// is cloned and set up: nothing can clean up after it but the pod init
// itself. Until 2026-12-07 a pod init whose runner died during its clone
// (PR_SET_PDEATHSIG not set yet) or after it became root of its user
// namespace (which clears it) waited for the end of its setup for good: its
// own copy of the keeper pipe's write end kept the pipe from saying the
// runner was gone (bench/peers/sigkill_orphans.py counted 52 of 300 such
// runs leaving one; this test failed at its run 1). The pod init now
// closes that copy first thing (pod_init_config.h, keeper_write_fd).
// Seeded.
TEST(FaultSignalStress, SigkillAsTheRunStartsLeavesNoPodInit) {
  run_e2e::TempDir suite;
  const std::string file = suite.path() + "/one.clnrm.toml";
  std::ofstream(file) << "[test.metadata]\nname = \"one\"\n[[steps]]\nname = \"t\"\ncommand = [\"/bin/true\"]\n";
  std::mt19937 rng(22);
  for (int run = 0; run < 150; ++run) {
    const int delay_us = std::uniform_int_distribution<int>(1000, 8000)(rng);
    SCOPED_TRACE("run " + std::to_string(run) + ": SIGKILL after " + std::to_string(delay_us) + " us");
    RunDir dir;
    run_e2e::Child c({"run", "-q", file}, dir.out.path(), dir.env());
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    c.signal(SIGKILL);
    c.wait(std::chrono::seconds(60));
    // The runner's command line is the file's path (a pod init shares its
    // memory); a pod init the runner's death reached is gone at once.
    EXPECT_TRUE(run_e2e::no_process_left(file, std::chrono::seconds(2)))
        << run_e2e::processes_matching(file).size() << " pod init(s) outlived the runner";
    if (::testing::Test::HasFailure()) {
      for (const int pid : run_e2e::processes_matching(file)) ::kill(pid, SIGKILL);
      break;
    }
  }
}

}  // namespace
