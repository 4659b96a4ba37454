// The step agent's pure parts; the agent itself runs in the docker
// integration tests (every DockerPodTest step goes through it).
#include "backend/docker/step_agent.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace clnrm::docker {
namespace {

std::string sh(const std::string& script) {
  std::string out;
  FILE* p = ::popen(("sh -c " + shell_quote(script)).c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(StepAgent, Base64MatchesTheStandardAlphabetAndPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(StepAgent, ShellQuotingSurvivesARealShell) {
  for (std::string s : {"plain", "it's", "$HOME `id` \"q\" \\ ;|&", "new\nline", ""}) {
    EXPECT_EQ(sh("printf '%s' " + shell_quote(s)), s) << s;
  }
}

TEST(StepAgent, StepScriptSetsWorkdirEnvStepNameAndStdin) {
  ProcessSpec p;
  p.name = "my step";
  p.argv = {"sh", "-c", "pwd; echo \"$A|$CLNRM_STEP\"; cat"};
  p.env = {{"A", "x y'z"}};
  p.workdir = "/tmp";
  p.stdin_data = "in'put";
  EXPECT_EQ(sh(step_script(p)), "/tmp\nx y'z|my step\nin'put");
  ProcessSpec q;
  q.argv = {"sh", "-c", "exit 5"};
  FILE* f = ::popen(("sh -c " + shell_quote(step_script(q))).c_str(), "r");
  EXPECT_EQ(WEXITSTATUS(::pclose(f)), 5);
}

}  // namespace
}  // namespace clnrm::docker
