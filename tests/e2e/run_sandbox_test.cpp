// `clnrm run` on the default sandbox backend: the examples pass, the
// failing examples fail with useful messages, reports are complete, and
// interrupting or killing the runner leaves no process behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

TEST(RunSandbox, ExamplesPass) {
  auto r = run_clnrm({"run", "--jobs", "2", "examples"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* name :
       {"cli_multi_step", "http_server_service", "redis_service", "same_port_a", "same_port_b",
        "timeout_kills_hung_step", "scenarios", "env_workdir_stdin", "upstream_style"})
    EXPECT_NE(r.out.find(std::string("PASS   ") + name), std::string::npos) << name << "\n"
                                                                            << r.out;
  EXPECT_NE(r.out.find("OK: 9 tests, 9 passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colours when stdout is not a terminal";
}

TEST(RunSandbox, WrongOutputShowsStepCommandPatternAndOutputTail) {
  auto r = run_clnrm({"run", "examples/failing/wrong_output.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("FAIL   wrong_output"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step 'greet'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did not match /^goodbye/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| hello world"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 failed"), std::string::npos) << r.out;
}

TEST(RunSandbox, WrongExitCodeSkipsLaterSteps) {
  auto r = run_clnrm({"run", "--format", "json", "examples/failing/wrong_exit_code.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  const json t = json::parse(r.out)["tests"][0];
  EXPECT_EQ(t["status"], "failed");
  EXPECT_EQ(t["steps"][0]["exit_code"], 3);
  EXPECT_EQ(t["steps"][0]["stderr"], "about to fail\n");
  EXPECT_EQ(t["steps"][1]["status"], "skipped");
  EXPECT_NE(t["message"].get<std::string>().find("exited 3, expected exit code 0"),
            std::string::npos);
}

TEST(RunSandbox, ServiceThatNeverBecomesReadyShowsExitCodeAndLog) {
  auto r = run_clnrm({"run", "examples/failing/service_never_ready.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("ERROR  service_never_ready"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exited with code 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fatal: missing config /etc/broken.conf"), std::string::npos) << r.out;
}

TEST(RunSandbox, UnexpectedTimeoutIsReportedAsTimedOut) {
  auto r = run_clnrm({"run", "examples/failing/unexpected_timeout.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("TIME   unexpected_timeout"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("timed out after"), std::string::npos) << r.out;
}

TEST(RunSandbox, AssertionsTableFailure) {
  auto r = run_clnrm({"run", "examples/failing/assertions_table.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("container_should_have_executed_commands = 3, but 1 step(s) ran"),
            std::string::npos)
      << r.out;
}

TEST(RunSandbox, JunitAndJsonFilesDescribeTheRun) {
  TempDir dir;
  auto r = run_clnrm({"run", "--junit", dir.file("junit.xml"), "--json", dir.file("run.json"),
                      "--include-failing", "examples/failing/wrong_output.clnrm.toml",
                      "examples/cli_multi_step.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  const json j = json::parse(read_file(dir.file("run.json")));
  EXPECT_EQ(j["summary"]["passed"], 1);
  EXPECT_EQ(j["summary"]["failed"], 1);
  EXPECT_EQ(j["backend"], "sandbox");
  const std::string xml = read_file(dir.file("junit.xml"));
  const std::string check =
      "python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); "
      "print(r.get(\"tests\"), r.get(\"failures\"), "
      "len(r.findall(\"testsuite/testcase/failure\")))' " +
      dir.file("junit.xml") + " > " + dir.file("check.txt");
  ASSERT_EQ(std::system(check.c_str()), 0) << xml;
  EXPECT_EQ(read_file(dir.file("check.txt")), "2 1 1\n") << xml;
  EXPECT_NE(xml.find("did not match /^goodbye/"), std::string::npos);
}

TEST(RunSandbox, ReportKeysInTheFileWriteReports) {
  std::system(("rm -rf " + source_path("build/e2e-report-keys")).c_str());
  auto r = run_clnrm({"run", "tests/e2e/data/run/report_keys"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = json::parse(read_file(source_path("build/e2e-report-keys/with_reports.json")));
  EXPECT_EQ(j["tests"][0]["name"], "with_reports");
  EXPECT_NE(read_file(source_path("build/e2e-report-keys/with_reports.xml"))
                .find("<testcase name=\"with_reports\""),
            std::string::npos);
  std::system(("rm -rf " + source_path("build/e2e-report-keys")).c_str());
}

TEST(RunSandbox, FailFastSkipsTheRest) {
  auto r = run_clnrm({"run", "--jobs", "1", "--fail-fast", "--format", "json",
                      "tests/e2e/data/run/fails_first.clnrm.toml",
                      "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 1);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["tests"][0]["status"], "failed");
  EXPECT_EQ(j["tests"][1]["status"], "skipped");
}

// The signal tests find their runner's step and service by the marker
// commands of hang.clnrm.toml ("sleep 3579.75" ...). ctest runs tests in
// parallel processes, so without this lock a test could see (and wait on)
// another test's processes and signal its own runner too early.
class HangMarkerLock {
 public:
  HangMarkerLock() : fd_(::open("/tmp/clnrm-e2e-hang-markers.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~HangMarkerLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  HangMarkerLock(const HangMarkerLock&) = delete;
  HangMarkerLock& operator=(const HangMarkerLock&) = delete;

 private:
  int fd_;
};

TEST(RunSandbox, SigintKillsStepsTearsDownAndExits130) {
  HangMarkerLock lock;
  TempDir dir;
  Child c({"run", "tests/e2e/data/run/hang.clnrm.toml"}, dir.path());
  ASSERT_TRUE(wait_for_process("sleep 3579.75")) << "the step never started";
  ASSERT_TRUE(wait_for_process("sleep 3581.25"));
  c.signal(SIGINT);
  Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_NE(o.out.find("CANCL  hang"), std::string::npos) << o.out;
  // Said by the signal handler itself (src/run/signal_cancellation.cpp).
  EXPECT_NE(o.err.find("clnrm: SIGINT received: stopping running steps and tearing down cleanrooms"),
            std::string::npos)
      << o.err;
  EXPECT_TRUE(no_process_left("sleep 3579.5")) << "background child of the step survived";
  EXPECT_TRUE(no_process_left("sleep 3579.75")) << "the step survived";
  EXPECT_TRUE(no_process_left("sleep 3581.25")) << "the service survived";
}

TEST(RunSandbox, SigkillOfTheRunnerLeavesNoProcess) {
  HangMarkerLock lock;
  TempDir dir;
  Child c({"run", "tests/e2e/data/run/hang.clnrm.toml"}, dir.path());
  ASSERT_TRUE(wait_for_process("sleep 3579.75"));
  ASSERT_TRUE(wait_for_process("sleep 3581.25"));
  c.signal(SIGKILL);
  c.wait(std::chrono::seconds(10));
  EXPECT_TRUE(no_process_left("sleep 3579.5"));
  EXPECT_TRUE(no_process_left("sleep 3579.75"));
  EXPECT_TRUE(no_process_left("sleep 3581.25"));
}

TEST(RunSandbox, SigtermTearsDownToo) {
  HangMarkerLock lock;
  TempDir dir;
  Child c({"run", "tests/e2e/data/run/hang.clnrm.toml"}, dir.path());
  ASSERT_TRUE(wait_for_process("sleep 3579.75"));
  c.signal(SIGTERM);
  Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("SIGTERM received"), std::string::npos) << o.err;
  EXPECT_TRUE(no_process_left("sleep 3579.75"));
  EXPECT_TRUE(no_process_left("sleep 3581.25"));
}

TEST(RunSandbox, SecondSigintExitsAtOnceAndLeavesNothing) {
  HangMarkerLock lock;
  TempDir dir;
  Child c({"run", "tests/e2e/data/run/hang.clnrm.toml"}, dir.path());
  ASSERT_TRUE(wait_for_process("sleep 3579.75"));
  c.signal(SIGINT);
  c.signal(SIGINT);
  Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_TRUE(no_process_left("sleep 3579.5"));
  EXPECT_TRUE(no_process_left("sleep 3579.75"));
  EXPECT_TRUE(no_process_left("sleep 3581.25"));
}

TEST(RunSandbox, DefaultTimeoutFlagBoundsTestsWithoutTheirOwn) {
  TempDir dir;
  const std::string file = dir.file("forever.clnrm.toml");
  std::ofstream(file) << "[test.metadata]\nname = \"forever\"\n\n[[steps]]\nname = "
                         "\"hang\"\ncommand = [\"sleep\", \"3577.5\"]\n";
  auto r = run_clnrm({"run", "--timeout", "300ms", file}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("TIME   forever"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(the test's timeout) and was killed"), std::string::npos) << r.out;
  EXPECT_TRUE(no_process_left("sleep 3577.5"));
}

TEST(RunSandbox, AutoPicksTheSandboxForTestsWithoutImages) {
  auto r = run_clnrm(
      {"run", "--backend", "auto", "--format", "json", "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["backend"], "sandbox");
}

// `rootfs` of a service: a busybox root next to the test file (in a 0700
// mkdtemp directory the pod's root may not enter), shared read-only with
// the pod by the runner; the service runs on its files, not the host's.
TEST(RunSandbox, ServiceRootfsNextToTheTestFileIsWhatTheServiceRuns) {
  TempDir dir;
  const std::string root = dir.file("rootfs");
  for (const char* d : {"", "/bin", "/tmp", "/proc", "/dev", "/etc"}) {
    ASSERT_EQ(std::system(("mkdir -p '" + root + d + "'").c_str()), 0);
  }
  ASSERT_EQ(std::system(("cp /bin/busybox '" + root + "/bin/busybox' && ln -s busybox '" + root + "/bin/sh' && ln -s busybox '" +
                         root + "/bin/cat' && ln -s busybox '" + root + "/bin/sleep' && echo ID=clnrm-e2e-rootfs > '" +
                         root + "/etc/os-release'")
                            .c_str()),
            0);
  std::ofstream(dir.file("rootfs.clnrm.toml")) << R"([test.metadata]
name = "service_rootfs"

[services.app]
plugin = "generic_container"
rootfs = "rootfs"
args = ["/bin/sh", "-c", "cat /etc/os-release > /tmp/seen; exec sleep 300"]

[[steps]]
name = "what_the_service_saw"
command = ["sh", "-c", "for i in $(seq 100); do [ -s /tmp/seen ] && break; sleep 0.05; done; cat /tmp/seen"]
expected_output_regex = "^ID=clnrm-e2e-rootfs"
)";
  auto r = run_clnrm({"run", dir.file("rootfs.clnrm.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}
