// `clnrm health` as a user runs it: the built binary, real namespaces,
// real cgroups, the real engine socket if one is up.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
};

// Runs CLNRM_BINARY with `args`; with block_unshare, unshare(2) fails with
// EPERM in the child (a seccomp filter), like on a host that forbids namespaces.
Result run_clnrm(const std::vector<std::string>& args, bool block_unshare = false) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
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
  ASSERT_NE(find_check(j, "cgroup layout"), nullptr);
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

TEST(HealthCommand, BadFormatIsAUsageError) {
  EXPECT_EQ(run_clnrm({"health", "--format", "xml"}).exit_code, 2);
}
