// The step agent's pure parts; the agent itself runs in the docker
// integration tests (every DockerPodTest step goes through it).
#include "backend/docker/step_agent.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace clnrm::docker {
namespace {

// Plain single quoting for the outer command line (shell_quote spells
// newlines as "$nl", which only the step agent's shells define).
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

TEST(StepAgent, ShellQuotingSurvivesARealShell) {
  for (std::string s : {"plain", "it's", "$HOME `id` \"q\" \\ ;|&", "new\nline", ""}) {
    // Newlines are spelled "$nl" so the quoted text stays on one line.
    EXPECT_EQ(shell_quote(s).find('\n'), std::string::npos);
    EXPECT_EQ(sh("nl='\n'; printf '%s' " + shell_quote(s)), s) << s;
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
  ::setenv("CLNRM_NL", "\n", 1);
  EXPECT_EQ(sh(script), "/tmp\nx y'z|my step\nin'put\nline 2");
  ::unsetenv("CLNRM_NL");
  ProcessSpec q;
  q.argv = {"sh", "-c", "exit 5"};
  FILE* f = ::popen(("sh -c " + outer_quote(step_script(q))).c_str(), "r");
  EXPECT_EQ(WEXITSTATUS(::pclose(f)), 5);
}

}  // namespace
}  // namespace clnrm::docker
