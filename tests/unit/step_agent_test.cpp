// The step agent's shell parts, run by the host's shells (dash as /bin/sh,
// and busybox sh, the shell of the test images); the agent inside real
// containers runs in the docker integration tests (every DockerPodTest step
// goes through it).
#include "backend/docker/step_agent.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace clnrm::docker {
namespace {

// Plain single quoting for the outer command line (shell_quote spells
// newlines as "$clnrm_nl", which only the step agent defines).
std::string outer_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sh(const std::string& script) {
  std::string out;
  FILE* p = ::popen(("sh -c " + outer_quote(script)).c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct AgentRun {
  std::string out, err;
};

// Feeds `lines` (one "<nonce> <step text>" per step) to the agent run by
// `shell` and returns what it printed once its stdin ends.
AgentRun run_agent(const std::string& shell, const std::vector<std::string>& lines) {
  const auto dir = std::filesystem::temp_directory_path() / ("clnrm-agent-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream in(dir / "in");
    for (const auto& l : lines) in << l << '\n';
  }
  const std::string cmd = shell + " -c " + outer_quote(kStepAgentScript) + " <" + (dir / "in").string() + " >" +
                          (dir / "out").string() + " 2>" + (dir / "err").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  AgentRun r{read_file(dir / "out"), read_file(dir / "err")};
  std::filesystem::remove_all(dir);
  return r;
}

std::vector<std::string> agent_shells() {
  std::vector<std::string> shells{"sh"};
  if (std::filesystem::exists("/bin/busybox")) shells.push_back("/bin/busybox sh");
  return shells;
}

TEST(StepAgent, ShellQuotingSurvivesARealShell) {
  for (std::string s : {"plain", "it's", "$HOME `id` \"q\" \\ ;|&", "new\nline", ""}) {
    // Newlines are spelled "$clnrm_nl" so the quoted text stays on one line.
    EXPECT_EQ(shell_quote(s).find('\n'), std::string::npos);
    EXPECT_EQ(sh("clnrm_nl='\n'; printf '%s' " + shell_quote(s)), s) << s;
  }
}

TEST(StepAgent, StepScriptSetsWorkdirEnvStepNameAndStdin) {
  ProcessSpec p;
  p.name = "my step";
  p.argv = {"sh", "-c", "pwd; echo \"$A|$CLNRM_STEP\"; cat"};
  p.env = {{"A", "x y'z"}};
  p.workdir = "/tmp";
  p.stdin_data = "in'put\nline 2";
  const std::string script = step_script(p);
  EXPECT_EQ(script.find('\n'), std::string::npos) << "one line per step";
  for (const auto& shell : agent_shells()) {
    const AgentRun r = run_agent(shell, {"n1 " + script});
    EXPECT_EQ(r.out, "/tmp\nx y'z|my step\nin'put\nline 2\x1en1:0\n") << shell;
  }
}

TEST(StepAgent, ReportsEachStepsExitStatusOnBothStreams) {
  ProcessSpec fail;
  fail.argv = {"sh", "-c", "echo out; echo err >&2; exit 5"};
  ProcessSpec missing;
  missing.argv = {"no-such-program-xyz"};
  for (const auto& shell : agent_shells()) {
    const AgentRun r = run_agent(shell, {"a " + step_script(fail), "b " + step_script(missing)});
    EXPECT_EQ(r.out, "out\n\x1e" "a:5\n\x1e" "b:127\n") << shell;
    EXPECT_NE(r.err.find("err\n\x1e" "a:5\n"), std::string::npos) << shell << ": " << r.err;
    EXPECT_NE(r.err.find("\x1e" "b:127\n"), std::string::npos) << shell << ": " << r.err;
  }
}

// Each step is a session leader (its session id is its pid), so a timeout
// next to other steps can kill its whole session (kill -9 -<pid>); the
// agent's own variables and the step text are not in the program's
// environment. (The agent's sweep, kill -9 -1, only acts as PID 1 of a
// container and is tested in tests/integration/docker_step_cleanup_test.cpp.)
TEST(StepAgent, StepRunsAsASessionLeaderWithACleanEnvironment) {
  ProcessSpec p;
  p.argv = {"sh", "-c",
            "test \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$ && echo leader; "
            "env | grep -c -e '^clnrm_' -e '^l=' -e '^n=' -e '^p=' -e '^r=' || true"};
  ProcessSpec path_changed = p;
  path_changed.env = {{"PATH", "/nonexistent"}};
  path_changed.argv = {"/bin/sh", "-c", "echo $PATH"};
  for (const auto& shell : agent_shells()) {
    const AgentRun r = run_agent(shell, {"s " + step_script(p), "t " + step_script(path_changed)});
    EXPECT_EQ(r.out, "leader\n0\n\x1es:0\n/nonexistent\n\x1et:0\n") << shell;
  }
}

// Inside a service the agent runs each step behind clnrm-seccomp-exec
// --reap (service_agent.h): the prefix goes before the command, also
// before the stdin pipeline. `env X=1` stands in for the helper here.
TEST(StepAgent, CommandPrefixGoesBeforeTheCommand) {
  ProcessSpec p;
  p.argv = {"sh", "-c", "echo \"$X\""};
  ProcessSpec with_stdin = p;
  with_stdin.argv = {"sh", "-c", "echo \"$X $(cat)\""};
  with_stdin.stdin_data = "in";
  const std::vector<std::string> prefix{"env", "X=prefixed"};
  for (const auto& shell : agent_shells()) {
    // ":" is the start handshake's line (StepAgent::ping): it runs nothing.
    const AgentRun r = run_agent(shell, {"h :", "a " + step_script(p, prefix), "b " + step_script(with_stdin, prefix)});
    EXPECT_EQ(r.out, "\x1eh:0\nprefixed\n\x1e" "a:0\nprefixed in\n\x1e" "b:0\n") << shell;
  }
}

}  // namespace
}  // namespace clnrm::docker
