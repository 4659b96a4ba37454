// The clnrm-seccomp-exec helper (src/seccomp_exec/seccomp_exec_main.c) run
// directly on the host: it loads the high level's filter before running its
// command, fails closed, and reports like a shell (126/127). The docker
// backend's use of it is tested in docker_seccomp_test.cpp.
#include <clnrm/policy.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "backend/docker/endpoint.h"
#include "backend/docker/seccomp_helper.h"
#include "backend/docker/kept_agent.h"
#include "base/unique_fd.h"

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

// `helper --reap --serve -- sh -c <agent>` (the kept step agent's server) as
// a child of the test with its stdio on /dev/null; killed and reaped when it
// goes out of scope, also after a failed ASSERT.
class ServeProcess {
 public:
  ServeProcess(const std::string& helper, const std::string& agent) : pid_(::fork()) {
    if (pid_ != 0) return;
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
    ::execl(helper.c_str(), helper.c_str(), "--reap", "--serve", "--", "sh", "-c", agent.c_str(), nullptr);
    ::_exit(127);
  }
  ~ServeProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
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

// Takes fd 3 (the control socket) of server `pid` and hands it a new
// connection; returns our end.
UniqueFd connect_to_server(pid_t pid) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  UniqueFd control;
  for (int i = 0; i < 200 && pidfd.valid(); ++i) {  // until the server has set it up
    control = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), 3, 0)));
    int type = 0;
    socklen_t len = sizeof type;
    if (control.valid() && ::getsockopt(control.get(), SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_SEQPACKET)
      break;
    control = UniqueFd();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!control.valid()) return UniqueFd();
  return docker::hand_agent_connection(control.get());
}

// An agent for --serve: answers the server's "clnrm-started" line as the
// step agent does (src/backend/docker/step_agent.cpp), echoes the others.
constexpr const char* kEchoAgent =
    "while IFS= read -r l; do if [ \"${l%% *}\" = clnrm-started ]; then "
    "printf '\\036clnrm-started:0\\n'; printf '\\036clnrm-started:0\\n' >&2; continue; fi; "
    "echo \"out:$l\"; echo \"err:$l\" >&2; done";

// --reap --serve (the kept step agent, src/seccomp_exec/agent_server.h):
// the command's stdin gets only complete lines of the current connection (a
// line a dropped connection left unfinished is never run), its output comes
// back in the engine's attach framing. (That no step can take the control
// socket: DockerKeptAgent.NoStepCanReachTheAgentsControlSocket.)
TEST_F(SeccompExec, ServeHandsCompleteLinesToItsCommandAndFramesItsOutput) {
  const ServeProcess serving(helper_, kEchoAgent);
  ASSERT_GT(serving.pid(), 0);
  const pid_t server = serving.pid();
  {
    UniqueFd first = connect_to_server(server);
    ASSERT_TRUE(first.valid());
    ASSERT_EQ(::send(first.get(), "par", 3, MSG_NOSIGNAL), 3);
  }  // closed mid-line, as by a runner killed while writing
  UniqueFd second = connect_to_server(server);
  ASSERT_TRUE(second.valid());
  ASSERT_EQ(::send(second.get(), "second\n", 7, MSG_NOSIGNAL), 7);
  std::string out, err, buffer;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((out.size() < 11 || err.size() < 11) && std::chrono::steady_clock::now() < until) {
    pollfd p{second.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(second.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    buffer.append(buf, static_cast<std::size_t>(n));
    while (buffer.size() >= 8) {
      const std::size_t size = (std::size_t{static_cast<unsigned char>(buffer[4])} << 24) |
                               (std::size_t{static_cast<unsigned char>(buffer[5])} << 16) |
                               (std::size_t{static_cast<unsigned char>(buffer[6])} << 8) |
                               static_cast<unsigned char>(buffer[7]);
      if (buffer.size() < 8 + size) break;
      (buffer[0] == 1 ? out : err) += buffer.substr(8, size);
      buffer.erase(0, 8 + size);
    }
  }
  EXPECT_EQ(out, "out:second\n");
  EXPECT_EQ(err, "err:second\n");
}

// The control socket is offered only once the agent has started (answered
// the server's own first line): an agent that takes half a second to start
// (the step agent resolves setsid and sh in subshells first, which a runner
// that connected early took for leftovers and killed) is not reachable
// before. The lower bound on the wait holds however slow the machine is.
TEST_F(SeccompExec, ServeOffersItsControlSocketOnlyOnceTheAgentAnswered) {
  const ServeProcess serving(helper_, std::string("sleep 0.5; ") + kEchoAgent);
  ASSERT_GT(serving.pid(), 0);
  const pid_t server = serving.pid();
  const auto start = std::chrono::steady_clock::now();
  UniqueFd connection = connect_to_server(server);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(connection.valid());
  EXPECT_GE(waited, std::chrono::milliseconds(450));
  ASSERT_EQ(::send(connection.get(), "x\n", 2, MSG_NOSIGNAL), 2);
  char buf[64];
  pollfd p{connection.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  const ssize_t n = ::recv(connection.get(), buf, sizeof buf, 0);
  // The first frame is the echo, on either stream: the handshake's markers
  // never reach a connection.
  ASSERT_GE(n, 8);
  const std::string first(buf + 8, std::min<std::size_t>(static_cast<std::size_t>(n - 8), buf[7]));
  EXPECT_TRUE(first == "out:x\n" || first == "err:x\n") << first;
}

// --serve-beside=N: the first N arguments after "--" are the agent's, the
// rest the program this process becomes; the agent's output never reaches
// the program's stdout or stderr (a service's logs), and the program's
// status is the process's. Misuse is refused like any other.
TEST_F(SeccompExec, ServeBesideRunsTheProgramAndKeepsTheAgentOffItsOutput) {
  const Outcome o = run("--serve-beside=3", "sh -c 'echo agent-out; echo agent-err >&2' sh -c 'echo program-out; exit 5'");
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_EQ(o.output, "program-out\n");
  EXPECT_EQ(run("--serve-beside=3", "sh -c true").exit_code, 126) << "no program after the agent's 3 arguments";
  EXPECT_EQ(run("--serve-beside=0", "true").exit_code, 126);
  EXPECT_EQ(run("--serve-beside=1 --reap", "true true").exit_code, 126);
  EXPECT_EQ(run("--serve-beside=1", "true /no/such/program").exit_code, 127);
}

}  // namespace
}  // namespace clnrm
