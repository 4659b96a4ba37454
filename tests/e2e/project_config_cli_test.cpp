// cleanroom.toml as a user meets it: a project tree in a temp directory, the
// file in its root, the real binary run from a subdirectory. Each [defaults]
// key and [images] must act, flags must win, a typo must fail with
// file:line:col (issue 14, item 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

namespace {

namespace fs = std::filesystem;
using run_e2e::Child;
using run_e2e::Outcome;
using run_e2e::TempDir;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

constexpr const char* kPassing = R"([test.metadata]
name = "passes"
[[steps]]
name = "hello"
command = ["echo", "hello"]
expected_output_regex = "hello"
)";

std::string passing(const std::string& name) {
  std::string text = kPassing;
  text.replace(text.find("\"passes\""), 8, "\"" + name + "\"");
  return text;
}

constexpr const char* kHangs = R"([test.metadata]
name = "hangs"
[[steps]]
name = "sleeps"
command = ["sleep", "600"]
)";

// A project: <root>/cleanroom.toml and <root>/tests/api/*.clnrm.toml.
struct Project {
  TempDir root;
  TempDir out;  // the child's stdout/stderr files
  fs::path tests() const { return fs::path(root.path()) / "tests" / "api"; }
  void config(const std::string& text) const { write(fs::path(root.path()) / "cleanroom.toml", text); }
  void test(const std::string& name, const std::string& text) const {
    write(tests() / (name + ".clnrm.toml"), text);
  }
  // Runs clnrm in tests/api (two levels below the config file).
  Outcome clnrm(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    Child c(args, out.path(), env, tests().string());
    return c.wait(std::chrono::seconds(120));
  }
  std::string config_path() const { return (fs::path(root.path()) / "cleanroom.toml").string(); }
};

nlohmann::json json_of(const Outcome& o) {
  auto j = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << o.out << o.err;
  return j;
}

TEST(ProjectConfigCli, FoundInAParentDirectoryAndNamedByVerbose) {
  Project p;
  p.config("[defaults]\njobs = 3\n");
  p.test("a", kPassing);
  const Outcome o = p.clnrm({"run", "-v", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.err.find("clnrm: project settings: " + p.config_path()), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("jobs 3 (" + p.config_path() + ":2:8)"), std::string::npos) << o.err;
}

TEST(ProjectConfigCli, VerboseSaysWhenThereIsNone) {
  Project p;
  p.test("a", kPassing);
  const Outcome o = p.clnrm({"run", "-v", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("no cleanroom.toml found in " + p.tests().string()), std::string::npos)
      << o.err;
}

TEST(ProjectConfigCli, JobsActAndTheFlagWins) {
  Project p;
  p.config("[defaults]\njobs = 3\n");
  for (const char* name : {"a", "b", "c", "d"}) p.test(name, passing(name));  // more tests than jobs
  EXPECT_EQ(json_of(p.clnrm({"run", "--format", "json", "--no-history", "."}))["jobs"], 3);
  EXPECT_EQ(json_of(p.clnrm({"run", "--format", "json", "--no-history", "--jobs", "2", "."}))["jobs"], 2);
}

TEST(ProjectConfigCli, TimeoutKillsAHungStepAndTheFlagWins) {
  Project p;
  p.config("[defaults]\ntimeout = \"1s\"\n");
  p.test("hangs", kHangs);
  Outcome o = p.clnrm({"run", "--format", "json", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  auto j = json_of(o);
  EXPECT_EQ(j["tests"][0]["status"], "timed_out") << o.out;
  EXPECT_NE(j["tests"][0]["message"].get<std::string>().find("test timeout 1.000s passed"),
            std::string::npos)
      << o.out;
  o = p.clnrm({"run", "--format", "json", "--no-history", "--timeout", "2s", "."});
  j = json_of(o);
  EXPECT_NE(j["tests"][0]["message"].get<std::string>().find("test timeout 2.000s passed"),
            std::string::npos)
      << o.out;
}

TEST(ProjectConfigCli, BackendActsAndTheFlagWins) {
  Project p;
  p.config("[defaults]\nbackend = \"docker\"\n");
  p.test("a", kPassing);
  Outcome o = p.clnrm({"run", "--format", "json", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(json_of(o)["tests"][0]["backend"], "docker");
  o = p.clnrm({"run", "--format", "json", "--no-history", "--backend", "sandbox", "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(json_of(o)["tests"][0]["backend"], "sandbox");
}

TEST(ProjectConfigCli, ImagesMapOnDockerLikeImageMap) {
  Project p;
  p.config("[images]\n\"clnrm-e2e/no-such-image:1\" = \"clnrm-test/busybox\"\n");
  p.test("img", R"([test.metadata]
name = "mapped_image"
[services.box]
plugin = "generic_container"
image = "clnrm-e2e/no-such-image:1"
args = ["sleep", "300"]
[[steps]]
name = "in_box"
service = "box"
command = ["echo", "inside"]
expected_output_regex = "inside"
)");
  Outcome o = p.clnrm({"run", "--backend", "docker", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  // Without the file the image does not exist: the mapping is what acted.
  o = p.clnrm({"run", "--backend", "docker", "--no-history", "--no-config", "."});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE((o.out + o.err).find("clnrm-e2e/no-such-image:1"), std::string::npos) << o.out;
  // A flag for the same image wins over the file.
  o = p.clnrm({"run", "--backend", "docker", "--no-history", "--image-map",
               "clnrm-e2e/no-such-image:1=clnrm-e2e/still-missing:2", "."});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE((o.out + o.err).find("clnrm-e2e/still-missing:2"), std::string::npos) << o.out;
}

TEST(ProjectConfigCli, SecurityLevelIsTheProjectsFloor) {
  Project p;
  p.config("[defaults]\nsecurity_level = \"high\"\n");
  p.test("a", kPassing);
  Outcome o = p.clnrm({"run", "--format", "json", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(json_of(o)["tests"][0]["security_level"], "high");
  // A test asking for less than the project: invalid, nothing runs.
  p.test("b", passing("b") + "[policy]\nsecurity_level = \"low\"\n");
  o = p.clnrm({"run", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_NE(o.err.find((p.tests() / "b.clnrm.toml").string().substr(p.tests().string().size() + 1) +
                       ":8:18: error: security_level \"low\" is below the project's \"high\" (" +
                       p.config_path() + ":2:18)"),
            std::string::npos)
      << o.err;
  // validate says the same about the same file.
  o = p.clnrm({"validate", "."});
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find(":8:18: error: security_level \"low\" is below the project's \"high\""),
            std::string::npos)
      << o.out;
}

TEST(ProjectConfigCli, ATypoFailsEveryCommandWithFileLineColumn) {
  Project p;
  p.config("[defaults]\njobz = 2\n");
  p.test("a", kPassing);
  const std::string where =
      p.config_path() + ":2:1: error: unknown key 'jobz' in [defaults] (did you mean 'jobs'?)";
  Outcome o = p.clnrm({"run", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(where), std::string::npos) << o.err;
  o = p.clnrm({"validate", "."});
  EXPECT_EQ(o.exit_code, 1);  // as for an invalid test file
  EXPECT_NE(o.out.find(where), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("validated 2 files: 1 valid, 1 invalid"), std::string::npos) << o.out;
  for (std::vector<std::string> cmd : {std::vector<std::string>{"health"},
                                       std::vector<std::string>{"services", "status"},
                                       std::vector<std::string>{"cleanup", "-q"}}) {
    o = p.clnrm(cmd);
    EXPECT_EQ(o.exit_code, 2) << cmd[0];
    EXPECT_NE(o.err.find(where), std::string::npos) << cmd[0] << ": " << o.err;
  }
  // --no-config reads none; --config names another file: on every command.
  EXPECT_EQ(p.clnrm({"run", "--no-history", "--no-config", "."}).exit_code, 0);
  write(fs::path(p.out.path()) / "other.toml", "[defaults]\njobs = 2\nbackend = \"sandbox\"\n");
  const std::string other = p.out.file("other.toml");
  o = p.clnrm({"run", "-v", "--no-history", "--config", other, "."});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("jobs 2 (" + other + ":2:8)"), std::string::npos) << o.err;
  o = p.clnrm({"validate", "--no-config", "."});
  EXPECT_EQ(o.exit_code, 0) << o.out;
  o = p.clnrm({"validate", "--format", "json", "--config", other, "."});
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(json_of(o)["project_config"], other);
  o = p.clnrm({"health", "--no-config"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("--no-config: no cleanroom.toml read"), std::string::npos) << o.out;
  o = p.clnrm({"health", "--config", other});
  EXPECT_NE(o.out.find("project settings: " + other + " (--config)"), std::string::npos) << o.out;
  // other.toml says sandbox: services then says the sandbox keeps nothing.
  o = p.clnrm({"services", "status", "--config", other});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("sandbox backend: reuse = true keeps nothing"), std::string::npos) << o.out;
  EXPECT_EQ(p.clnrm({"services", "status", "--backend", "sandbox", "--no-config"}).exit_code, 0);
  // cleanup: past the config, it fails on the (dead) engine instead.
  o = p.clnrm({"cleanup", "-q", "--no-config", "--docker-host", "unix:///nonexistent/clnrm-e2e.sock"});
  EXPECT_EQ(o.err.find("jobz"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("cannot reach the Docker engine at unix:///nonexistent/clnrm-e2e.sock (from "
                       "--docker-host)"),
            std::string::npos)
      << o.err;
}

TEST(ProjectConfigCli, WrongTypesAndValuesAreErrors) {
  Project p;
  p.test("a", kPassing);
  p.config("[defaults]\njobs = \"four\"\nbackend = \"kvm\"\ntimeout = \"soon\"\njobs_x = 1\n");
  const Outcome o = p.clnrm({"run", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 2);
  for (const char* s : {":2:8: error: 'jobs' must be an integer", ":3:11: error: unknown backend \"kvm\"",
                               ":4:11: error: 'timeout'", ":5:1: error: unknown key 'jobs_x'"})
    EXPECT_NE(o.err.find(p.config_path() + s), std::string::npos) << s << "\n" << o.err;
}

TEST(ProjectConfigCli, JobsOutOfRangeInTheFileOrOnTheCommandLine) {
  Project p;
  p.test("a", kPassing);
  for (const char* jobs : {"0", "100000"}) {
    const Outcome o = p.clnrm({"run", "--no-history", "--no-config", "--jobs", jobs, "."});
    EXPECT_EQ(o.exit_code, 2) << jobs;
    EXPECT_NE(o.err.find("1..1024"), std::string::npos) << o.err;
  }
  p.config("[defaults]\njobs = 0\n");
  const Outcome o = p.clnrm({"run", "--no-history", "."});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(p.config_path() + ":2:8: error: 'jobs' = 0 is out of range (1..1024)"),
            std::string::npos)
      << o.err;
}

TEST(ProjectConfigCli, HealthNamesTheFileAndItsBackend) {
  Project p;
  p.config("[defaults]\nbackend = \"sandbox\"\n");
  p.test("a", kPassing);
  const Outcome o = p.clnrm({"health", "--format", "json"});
  EXPECT_EQ(o.exit_code, 0) << o.out;
  bool found = false;
  const nlohmann::json j = json_of(o);
  for (const auto& c : j["checks"])
    if (c["name"] == "cleanroom.toml") {
      found = true;
      EXPECT_NE(c["detail"].get<std::string>().find(p.config_path()), std::string::npos) << c.dump();
      EXPECT_NE(c["detail"].get<std::string>().find("backend sandbox"), std::string::npos) << c.dump();
    }
  EXPECT_TRUE(found) << o.out;
}

TEST(ProjectConfigCli, WhatInitWritesParsesAndActs) {
  Project p;
  {
    Child c({"init", "--dir", p.root.path()}, p.out.path());
    ASSERT_EQ(c.wait().exit_code, 0);
  }
  Child c({"run", "-v", "--no-history", "tests"}, p.out.path(), {}, p.root.path());
  const Outcome o = c.wait();
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.err.find("jobs 4 (" + p.config_path()), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("clnrm: backend sandbox (auto: no test names an image)"), std::string::npos)
      << o.err;
  Child v({"validate", "-v", "tests"}, p.out.path(), {}, p.root.path());
  const Outcome vo = v.wait();
  EXPECT_EQ(vo.exit_code, 0) << vo.out;
  EXPECT_NE(vo.out.find("ok: " + p.config_path() + " (project settings)"), std::string::npos) << vo.out;
}

}  // namespace
