// The clnrm-seccomp-exec helper (src/seccomp_exec/seccomp_exec_main.c) run
// directly on the host: it loads the high level's filter before running its
// command, fails closed, and reports like a shell (126/127). The docker
// backend's use of it is tested in docker_seccomp_test.cpp.
#include <clnrm/policy.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "backend/docker/endpoint.h"
#include "backend/docker/seccomp_helper.h"

namespace clnrm {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

class SeccompExec : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto helper =
        docker::find_seccomp_helper(docker::parse_docker_host("unix:///var/run/docker.sock").value(), {});
    ASSERT_TRUE(helper.available()) << helper.why_not << " (build the clnrm_seccomp_exec target)";
    helper_ = helper.host_path;
    const IsolationPolicy high = make_isolation_policy(SecurityLevel::High, {});
    high_ = fmt::format("--deny={} --deny-new-userns", fmt::join(high.denied_syscalls, ","));
  }
  // Runs `helper <options> -- <command>` through sh; `command` is shell text.
  Outcome run(const std::string& options, const std::string& command) const {
    Outcome o;
    FILE* p = ::popen(fmt::format("{} {} -- {} 2>&1", helper_, options, command).c_str(), "r");
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) o.output.append(buf, n);
    const int status = ::pclose(p);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
  }
  std::string helper_;
  std::string high_;
};

TEST_F(SeccompExec, RunsTheCommandUnderTheHighFilter) {
  const Outcome ok =
      run(high_,
          "sh -c 'echo ran; grep Seccomp: /proc/self/status; grep NoNewPrivs: /proc/self/status'");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, "ran\nSeccomp:\t2\nNoNewPrivs:\t1\n");
  // Each denied kind, tried by a real tool of this host (we are root, so
  // only the filter stands in the way).
  const Outcome adj = run(high_, "busybox adjtimex");
  EXPECT_NE(adj.exit_code, 0);
  EXPECT_NE(adj.output.find("Operation not permitted"), std::string::npos) << adj.output;
  const Outcome userns = run(high_, "unshare -U true");
  EXPECT_NE(userns.exit_code, 0);
  EXPECT_NE(userns.output.find("Operation not permitted"), std::string::npos) << userns.output;
  const Outcome trace = run(high_, "strace -o /dev/null true");
  EXPECT_NE(trace.exit_code, 0);
  EXPECT_NE(trace.output.find("Operation not permitted"), std::string::npos) << trace.output;
  // Without the filter the same tools work here: the denials above are the helper's.
  EXPECT_EQ(
      std::system("busybox adjtimex >/dev/null && unshare -U true && strace -o /dev/null true"), 0);
}

TEST_F(SeccompExec, FailsClosedAndReportsLikeAShell) {
  const Outcome unknown = run("--deny=mount,no_such_syscall", "echo ESCAPED");
  EXPECT_EQ(unknown.exit_code, 126);
  EXPECT_EQ(unknown.output, "clnrm-seccomp-exec: unknown syscall 'no_such_syscall' in --deny\n");
  const Outcome missing = run(high_, "/nonexistent/program");
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_EQ(missing.output,
            "clnrm-seccomp-exec: cannot run '/nonexistent/program': No such file or directory\n");
  const Outcome not_executable = run(high_, "/etc/passwd");  // mode 0644: EACCES even for root
  EXPECT_EQ(not_executable.exit_code, 126) << not_executable.output;
  const Outcome no_command = run("--bogus", "true");
  EXPECT_EQ(no_command.exit_code, 126);
  EXPECT_NE(no_command.output.find("unknown option '--bogus'"), std::string::npos)
      << no_command.output;
  // The exit status of the command itself passes through.
  EXPECT_EQ(run(high_, "sh -c 'exit 7'").exit_code, 7);
}

// --reap (src/seccomp_exec/step_reaper.c): the command runs as a child of a
// subreaper, and whatever it left running is killed before the helper
// exits with the command's status. Alone, --reap loads no filter and leaves
// no_new_privs off (the reaper of levels low and medium).
TEST_F(SeccompExec, ReapKillsWhatTheCommandLeftAndPassesItsStatus) {
  const Outcome r = run("--reap",
                        "sh -c 'setsid sh -c \"sleep 3931\" >/dev/null 2>&1 & "
                        "sh -c \"(sleep 3932 >/dev/null 2>&1 &)\"; "
                        "sh -c \"trap \\\"\\\" TERM; exec sleep 3933\" >/dev/null 2>&1 & "
                        "kill -TERM $PPID; grep -E \"^(Seccomp|NoNewPrivs):\" /proc/self/status; exit 4'");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_EQ(r.output, "NoNewPrivs:\t0\nSeccomp:\t0\n");
  // Checked once, when the helper has exited: nothing of the command is left.
  for (const char* marker : {"sleep 3931", "sleep 3932", "sleep 3933"}) {
    EXPECT_NE(std::system(fmt::format("pgrep -f '^{}$' >/dev/null", marker).c_str()), 0) << marker << " survived";
  }
  // With the high filter: both.
  const Outcome high = run(high_ + " --reap", "sh -c 'grep -E \"^Seccomp:\" /proc/self/status; exit 3'");
  EXPECT_EQ(high.exit_code, 3);
  EXPECT_EQ(high.output, "Seccomp:\t2\n");
  EXPECT_EQ(run("--reap", "/nonexistent/program").exit_code, 127);
}

}  // namespace
}  // namespace clnrm
