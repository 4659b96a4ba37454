// The sandbox's code by side (docs/SANDBOX.md, "Code by side"): every file of
// src/backend/sandbox/ says its side on a "// Side: " line, and what runs
// inside the pod, the shared protocol's headers and the shared tools include
// no runner-side header of the sandbox, not even through another header. A
// runner include added to pod init, the fork server or a step init (code
// that must stay async-signal-safe and may share the runner's memory) fails
// here, and so does a second list of forwarded signals.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/run_process.h"

namespace {

using run_e2e::read_file;
using run_e2e::source_path;

const std::vector<std::string> kSides = {"inside the pod", "runner", "shared protocol", "shared tool"};

// The side a file names on its first "// Side: " line, "" when none.
std::string side_of(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string tag = "// Side: ";
    if (line.rfind(tag, 0) != 0) continue;
    for (const std::string& side : kSides) {
      if (line.compare(tag.size(), side.size(), side) == 0) return side;
    }
    return line.substr(tag.size());
  }
  return "";
}

// The sandbox headers a file includes ("pod_server.h" for
// #include "backend/sandbox/pod_server.h").
std::vector<std::string> sandbox_includes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  const std::string prefix = "#include \"backend/sandbox/";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    out.push_back(line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size()));
  }
  return out;
}

std::map<std::string, std::string> sandbox_files() {
  std::map<std::string, std::string> texts;
  for (const auto& e : std::filesystem::directory_iterator(source_path("src/backend/sandbox"))) {
    texts[e.path().filename().string()] = read_file(e.path().string());
  }
  return texts;
}

TEST(SandboxSides, EveryFileSaysItsSide) {
  const auto files = sandbox_files();
  ASSERT_GT(files.size(), 20u);
  for (const auto& [name, text] : files) {
    const std::string side = side_of(text);
    EXPECT_NE(std::find(kSides.begin(), kSides.end(), side), kSides.end())
        << "src/backend/sandbox/" << name << ": no \"// Side: <inside the pod|runner|shared protocol|shared tool>\" "
        << "line (found \"" << side << "\")";
  }
}

// Inside code never sees a runner-side header, not even through a shared
// one: every header of the sandbox a non-runner file includes, directly or
// through other headers, is inside, protocol or tool.
TEST(SandboxSides, InsideProtocolAndToolsIncludeNoRunnerHeader) {
  const auto files = sandbox_files();
  for (const auto& [name, text] : files) {
    const std::string side = side_of(text);
    if (side == "runner") continue;
    std::vector<std::string> pending = sandbox_includes(text);
    std::set<std::string> seen;
    while (!pending.empty()) {
      const std::string header = pending.back();
      pending.pop_back();
      if (!seen.insert(header).second) continue;
      const auto it = files.find(header);
      ASSERT_NE(it, files.end()) << name << " includes a missing backend/sandbox/" << header;
      EXPECT_NE(side_of(it->second), "runner")
          << "src/backend/sandbox/" << name << " (" << side << ") includes, directly or not, the runner-side "
          << header;
      for (const std::string& next : sandbox_includes(it->second)) pending.push_back(next);
    }
  }
}

TEST(SandboxSides, TheStepInitIsOneAndForwardsOneListOfSignals) {
  // One step init for both ways a step is forked (step_init.cpp), one list
  // of forwarded signals (step_init.h): no second list elsewhere.
  const auto files = sandbox_files();
  for (const auto& [name, text] : files) {
    if (name == "step_init.h") continue;
    EXPECT_EQ(text.find("SIGTERM, SIGINT, SIGHUP"), std::string::npos)
        << "src/backend/sandbox/" << name << " has a list of forwarded signals of its own (use kForwardedSignals)";
  }
  EXPECT_NE(files.at("step_init.h").find("kForwardedSignals[] = {SIGTERM, SIGINT, SIGHUP"), std::string::npos);
}

}  // namespace
