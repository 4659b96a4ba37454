// `clnrm health` as a user runs it: the built binary, real namespaces,
// real cgroups, the real engine socket if one is up.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clnrm/sandbox.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
};

// Runs CLNRM_BINARY with `args`; with block_unshare, unshare(2) fails with
// EPERM in the child (a seccomp filter), like on a host that forbids namespaces.
// with_stderr: stderr joins stdout in `out`.
Result run_clnrm(const std::vector<std::string>& args, bool block_unshare = false, bool with_stderr = false) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    if (with_stderr) ::dup2(fds[1], 2);
    if (block_unshare) {
      scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
      if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) != 0 ||
          seccomp_load(ctx) != 0)
        _exit(99);
    }
    std::vector<std::string> argv = {CLNRM_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> p;
    for (auto& a : argv) p.push_back(a.data());
    p.push_back(nullptr);
    ::execv(CLNRM_BINARY, p.data());
    _exit(98);
  }
  ::close(fds[1]);
  Result r;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const nlohmann::json* find_check(const nlohmann::json& j, const std::string& name) {
  for (const auto& c : j["checks"]) {
    if (c["name"] == name) return &c;
  }
  return nullptr;
}

}  // namespace

TEST(HealthCommand, JsonReportOnThisMachine) {
  const auto r =
      run_clnrm({"health", "--format", "json", "--history-db", "/tmp/clnrm-health-e2e/history.db"});
  const auto j = nlohmann::json::parse(r.out);
  // Exit code and verdict agree.
  EXPECT_EQ(r.exit_code, j["sandbox_ready"].get<bool>() ? 0 : 1);
  for (const char* ns : {"user", "pid", "mount", "net", "uts", "ipc"}) {
    const auto* c = find_check(j, std::string(ns) + " namespace");
    ASSERT_NE(c, nullptr) << ns;
  }
  // This machine (root, the project's CI image) can create every required namespace.
  for (const char* ns : {"pid", "mount", "net", "uts", "ipc"}) {
    EXPECT_EQ((*find_check(j, std::string(ns) + " namespace"))["status"], "ok") << ns;
  }
  EXPECT_TRUE(j["sandbox_ready"].get<bool>());
  for (const char* limit : {"memory", "pids", "cpu"})
    ASSERT_NE(find_check(j, std::string("cgroup ") + limit + " limit"), nullptr) << limit;
  ASSERT_NE(find_check(j, "libfaketime"), nullptr);
  EXPECT_EQ((*find_check(j, "history database"))["status"], "ok");
  for (const auto& c : j["checks"]) {
    EXPECT_TRUE(c["status"] == "ok" || c["status"] == "warn" || c["status"] == "fail");
    if (c["status"] != "ok") {
      EXPECT_FALSE(c["fix"].get<std::string>().empty()) << c.dump();
    }
  }
}

TEST(HealthCommand, EngineVersionIsShownWhenTheSocketAnswers) {
  if (::access("/var/run/docker.sock", F_OK) != 0) {
    FAIL() << "no engine socket at /var/run/docker.sock: run scripts/start-docker.sh (make test does)";
  }
  const auto r = run_clnrm({"health", "--format", "json"});
  const auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& c : j["checks"]) {
    // (The engine section also holds the seccomp helper check, which names no API.)
    if (c["category"] == "engine" && c["name"].get<std::string>().starts_with("engine ") && c["status"] == "ok") {
      found = true;
      EXPECT_NE(c["detail"].get<std::string>().find("API 1."), std::string::npos) << c.dump();
    }
  }
  EXPECT_TRUE(found) << r.out;
}

TEST(HealthCommand, HumanFormatHasSectionsAndVerdict) {
  const auto r = run_clnrm({"health"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s :
       {"namespaces\n", "cgroups\n", "engine\n", "faketime\n", "history\n", "sandbox: ready"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

TEST(HealthCommand, UnwritableHistoryIsAWarningWithAFixNotAFailure) {
  const auto r =
      run_clnrm({"health", "--format", "json", "--history-db", "/etc/hostname/history.db"});
  const auto j = nlohmann::json::parse(r.out);
  const auto* c = find_check(j, "history database");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["status"], "warn");
  EXPECT_NE((*c)["fix"].get<std::string>().find("--history-db"), std::string::npos);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(HealthCommand, NoNamespacesMeansExitOneAndAFixPerKind) {
  const auto r = run_clnrm({"health", "--format", "json"}, /*block_unshare=*/true);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(j["sandbox_ready"].get<bool>());
  for (const char* ns : {"pid", "mount", "net", "uts", "ipc"}) {
    const auto* c = find_check(j, std::string(ns) + " namespace");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ((*c)["status"], "fail") << ns;
    EXPECT_NE((*c)["detail"].get<std::string>().find("Operation not permitted"), std::string::npos)
        << c->dump();
    EXPECT_FALSE((*c)["fix"].get<std::string>().empty());
  }
  const auto human = run_clnrm({"health"}, true);
  EXPECT_EQ(human.exit_code, 1);
  EXPECT_NE(human.out.find("sandbox: cannot run"), std::string::npos) << human.out;
}

// Health does not judge the sandbox by rules of its own: its namespace and
// cgroup checks are the sandbox's probe, item for item, on this machine.
TEST(HealthCommand, SandboxChecksAreTheSandboxProbe) {
  const auto r = run_clnrm({"health", "--format", "json"});
  const auto j = nlohmann::json::parse(r.out);
  std::vector<nlohmann::json> from_health;
  for (const auto& c : j["checks"])
    if (c["category"] == "namespaces" || c["category"] == "cgroups") from_health.push_back(c);
  const clnrm::SandboxSupport probe = clnrm::probe_sandbox_support();
  ASSERT_EQ(from_health.size(), probe.checks.size()) << r.out;
  for (std::size_t i = 0; i < probe.checks.size(); ++i) {
    const clnrm::HealthCheck& p = probe.checks[i];
    EXPECT_EQ(from_health[i]["name"], p.name);
    EXPECT_EQ(from_health[i]["status"], std::string(clnrm::to_string(p.result))) << p.name;
    EXPECT_EQ(from_health[i]["required"], p.required) << p.name;
    EXPECT_EQ(from_health[i]["detail"], p.detail) << p.name;
    EXPECT_EQ(from_health[i]["fix"], p.fix) << p.name;
  }
  // The mount API (mount_setattr, Linux 5.12+) is checked: the sandbox needs it.
  const auto* mount_api = find_check(j, "mount API");
  ASSERT_NE(mount_api, nullptr) << r.out;
  EXPECT_TRUE((*mount_api)["required"].get<bool>());
  // The memory limit names the mechanism a run reports (cgroups.h, kLimitMechanisms).
  const auto* memory = find_check(j, "cgroup memory limit");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ((*memory)["detail"].get<std::string>().rfind("cgroup v1 memory.limit_in_bytes (whole pod) in ", 0), 0u)
      << memory->dump();
}

// `--backend auto` refuses the sandbox for the reason health gives: the first
// failed required check, in the same words.
TEST(HealthCommand, AutoRefusesTheSandboxWithHealthsFirstFailure) {
  const auto health = run_clnrm({"health", "--format", "json"}, /*block_unshare=*/true);
  const auto j = nlohmann::json::parse(health.out);
  const auto* mount = find_check(j, "mount namespace");  // the first required one for a root runner
  ASSERT_NE(mount, nullptr);
  ASSERT_EQ((*mount)["status"], "fail");

  clnrm::testing::TempDir dir;
  for (const char* name : {"a", "b"}) {
    std::ofstream(dir.path() + "/" + name + ".clnrm.toml")
        << "[test.metadata]\nname = \"" << name << "\"\n\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";
  }
  const auto run = run_clnrm({"run", "--backend", "auto", "--no-history", dir.path()}, true, /*with_stderr=*/true);
  EXPECT_NE(run.exit_code, 0);
  const std::string line = "mount namespace: " + (*mount)["detail"].get<std::string>() + " — " +
                           (*mount)["fix"].get<std::string>();
  EXPECT_NE(run.out.find(line), std::string::npos) << "want: " << line << "\n" << run.out;
}

TEST(HealthCommand, BadFormatIsAUsageError) {
  EXPECT_EQ(run_clnrm({"health", "--format", "xml"}).exit_code, 2);
}
