// Readiness strategies against real services in real sandbox pods:
// redis-server, Python's http.server, processes that exit or never listen.
#include <clnrm/session.h>
#include <clnrm/error.h>
#include <clnrm/runner.h>
#include <clnrm/wait.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "integration/sandbox_test_support.h"

using namespace clnrm;
using clnrm::testing::make_test_pod;

namespace {

Pattern pattern(const std::string& re) { return Pattern{re, std::make_shared<const re2::RE2>(re)}; }

ServiceSpec process_service(std::string name, std::vector<std::string> args, WaitFor::Kind kind,
                            int timeout_ms = 15'000) {
  ServiceSpec s;
  s.name = std::move(name);
  s.plugin = "process";
  s.args = std::move(args);
  s.wait_for.kind = kind;
  s.wait_for.timeout = Duration(timeout_ms);
  s.wait_for.interval = Duration(10);
  return s;
}

struct SandboxFixture {
  Session env{std::shared_ptr<Backend>(make_sandbox_backend())};
  SandboxFixture() { register_builtin_plugins(env.services()); }
};

const std::vector<std::string> kRedis = {
    "redis-server", "--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"};

}  // namespace

TEST(WaitSandbox, PortWaitOnRedisThenAStepReachesIt) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-port");
  ServiceSpec spec = process_service("cache", kRedis, WaitFor::Kind::Port);
  spec.wait_for.port = 6379;
  ServiceHandle h = s.env.start_service(*pod, spec);
  wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
  ExecResult r =
      clnrm::testing::run(*pod, clnrm::testing::command({"redis-cli", "-p", "6379", "ping"}));
  EXPECT_EQ(r.stdout_data, "PONG\n") << r.stderr_data;
  s.env.stop_service(h);
}

TEST(WaitSandbox, LogWaitOnRedisReadyLine) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-log");
  ServiceSpec spec = process_service("cache", kRedis, WaitFor::Kind::Log);
  spec.wait_for.log = pattern("Ready to accept connections");
  ServiceHandle h = s.env.start_service(*pod, spec);
  wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
  EXPECT_NE(h.instance->logs().find("Ready to accept"), std::string::npos);
}

TEST(WaitSandbox, ExecWaitRunsInsideTheService) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-exec");
  ServiceSpec spec = process_service("cache", kRedis, WaitFor::Kind::Exec);
  spec.wait_for.exec = {"redis-cli", "-p", "6379", "ping"};
  ServiceHandle h = s.env.start_service(*pod, spec);
  wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
}

TEST(WaitSandbox, HttpWaitOnPythonHttpServer) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-http");
  ServiceSpec spec = process_service("web",
                                     {"/usr/bin/python3", "-m", "http.server", "--bind",
                                      "127.0.0.1", "--directory", "/usr/share/doc", "8000"},
                                     WaitFor::Kind::Http);
  spec.wait_for.http_url = "http://127.0.0.1:8000/";
  ServiceHandle h = s.env.start_service(*pod, spec);
  wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});

  ServiceSpec missing = spec;
  missing.wait_for.http_url = "http://127.0.0.1:8000/no-such-page";
  missing.wait_for.timeout = Duration(300);
  try {
    wait_until_ready(*pod, h.instance.get(), missing, CancelToken{});
    FAIL() << "a 404 is not ready";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("HTTP 404 (want 200)"), std::string::npos) << e.describe();
  }
  missing.wait_for.http_status = 404;
  wait_until_ready(*pod, h.instance.get(), missing, CancelToken{});
}

TEST(WaitSandbox, ServiceThatExitsFailsFastWithExitCodeAndLog) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-exit");
  ServiceSpec spec =
      process_service("broken", {"sh", "-c", "echo starting; echo 'fatal: no config' >&2; exit 4"},
                      WaitFor::Kind::Port, 30'000);
  spec.wait_for.port = 9999;
  ServiceHandle h = s.env.start_service(*pod, spec);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(e.describe().find("exited with code 4"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("fatal: no config"), std::string::npos) << e.describe();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

TEST(WaitSandbox, NeverListeningServiceTimesOutWithItsLog) {
  SandboxFixture s;
  auto pod = make_test_pod("wait-timeout");
  ServiceSpec spec =
      process_service("idle", {"sh", "-c", "echo 'idling, not listening'; exec sleep 600"},
                      WaitFor::Kind::Port, 400);
  spec.wait_for.port = 6553;
  ServiceHandle h = s.env.start_service(*pod, spec);
  try {
    wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    EXPECT_NE(e.describe().find("still running"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("idling, not listening"), std::string::npos) << e.describe();
  }
}

TEST(WaitSandbox, RunnerStartsDependentServicesAndRunsStepsInThem) {
  SandboxFixture s;
  TestSpec t;
  t.name = "deps";
  t.file = "deps.clnrm.toml";
  ServiceSpec db = process_service("db", kRedis, WaitFor::Kind::Port);
  db.wait_for.port = 6379;
  ServiceSpec app = process_service(
      "app",
      {"sh", "-c", "redis-cli -p 6379 set started yes >/dev/null && echo app-up && exec sleep 600"},
      WaitFor::Kind::Log);
  app.wait_for.log = pattern("app-up");
  app.depends_on = {"db"};
  t.services = {app, db};
  StepSpec step;
  step.name = "read";
  step.service = "app";
  step.command = {"redis-cli", "-p", "6379", "get", "started"};
  step.expected_output_regex = pattern("^yes$");
  t.steps = {step};
  TestResult r = run_test(s.env, t, {});
  EXPECT_EQ(r.status, Status::Passed)
      << r.message << (r.services.empty() ? "" : r.services.back().message);
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_EQ(r.services[0].name, "db");
  EXPECT_GT(r.services[0].ready_duration.count(), 0);
}

TEST(WaitSandbox, InPodPortProbeSeesListenersOnlyInItsOwnPod) {
  SandboxFixture s;
  auto pod = make_test_pod("probe-own");
  auto other = make_test_pod("probe-other");
  ServiceSpec spec = process_service("cache", kRedis, WaitFor::Kind::Port);
  spec.wait_for.port = 6379;
  ServiceHandle h = s.env.start_service(*pod, spec);
  wait_until_ready(*pod, h.instance.get(), spec, CancelToken{});
  ProcessSpec probe;
  probe.name = "probe";
  probe.argv = port_probe_command(6379);
  EXPECT_EQ(clnrm::testing::run(*pod, probe).exit_code, 0);
  EXPECT_NE(clnrm::testing::run(*other, probe).exit_code, 0) << "the other pod has its own network";
  probe.argv = port_probe_command(6380);
  EXPECT_NE(clnrm::testing::run(*pod, probe).exit_code, 0);
  // IPv6 listeners count too.
  ServiceSpec v6 = process_service(
      "v6", {"redis-server", "--port", "6381", "--bind", "::1", "--save", "", "--appendonly", "no"},
      WaitFor::Kind::Log);
  v6.wait_for.log = pattern("Ready to accept");
  ServiceHandle h6 = s.env.start_service(*pod, v6);
  wait_until_ready(*pod, h6.instance.get(), v6, CancelToken{});
  probe.argv = port_probe_command(6381);
  EXPECT_EQ(clnrm::testing::run(*pod, probe).exit_code, 0);
}
