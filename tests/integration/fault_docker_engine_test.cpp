// Fault injection on the Docker backend with a PRIVATE engine (private_engine.h):
// the engine killed in the middle of a step, and restarted between tests.
// "Killed" is a crash: dockerd and its containerd get SIGKILL (the shims,
// and so the containers, live on, as after a real crash). Nothing may hang (every wait below is a hang detector, not a timing
// assertion), the failure must be an Error naming the engine, and nothing of
// ours may be left once the engine is back.
#include <clnrm/cancel.h>
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <clnrm/session.h>
#include <clnrm/parser.h>
#include <clnrm/runner.h>
#include <clnrm/service.h>

#include <future>

#include "integration/docker_support.h"
#include "integration/private_engine.h"

namespace clnrm {
namespace {

using testing_fault::PrivateEngine;
constexpr auto kHang = std::chrono::seconds(90);

DockerOptions private_options(const PrivateEngine& engine, const std::string& session) {
  DockerOptions o = testing_docker::test_options();
  o.host = engine.host();
  o.session_id = session;
  return o;
}

std::size_t containers_of(const PrivateEngine& engine, const std::string& session) {
  return engine.client()->container_list({"clnrm.session=" + session}).size();
}

class FaultDockerEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_docker::require_engine()) GTEST_FAIL() << "the shared engine provides the test image";
    engine_.start();
    engine_.load_image_from_shared_engine(testing_docker::kBusybox);
  }
  PrivateEngine engine_;
};

TEST_F(FaultDockerEngine, EngineKilledDuringAStepFailsTheStepWithAnErrorAndNothingHangs) {
  const std::string session = testing_docker::unique("fault-kill");
  auto backend = make_docker_backend(private_options(engine_, session));
  auto pod = backend->create_pod(testing_docker::pod_spec("killed_mid_step"));
  CancelToken cancel;
  auto step = std::async(std::launch::async, [&] {
    return pod->exec(testing_docker::cmd({"sleep", "600"}), cancel);
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the exec is attached
  engine_.crash();

  ASSERT_EQ(step.wait_for(kHang), std::future_status::ready) << "exec hangs after the engine died";
  std::string message;
  try {
    const ExecResult r = step.get();
    // Returned instead of thrown: it must not look like a passing step.
    EXPECT_NE(r.exit_code, 0) << "a step whose engine died reported exit code 0";
    message = r.stderr_data;
  } catch (const Error& e) {
    message = e.describe();
  }
  EXPECT_FALSE(message.empty()) << "no message says what happened";

  auto destroyed = std::async(std::launch::async, [&] {
    try {
      pod->destroy();
    } catch (const Error&) {
      // an unreachable engine may be reported; it must not hang
    }
  });
  ASSERT_EQ(destroyed.wait_for(kHang), std::future_status::ready) << "pod destroy hangs with the engine down";
  destroyed.get();
  pod.reset();

  // The engine comes back: what the dead engine left is found by label and
  // removed by the reaper (all = true: this process is still alive).
  engine_.start();
  const auto report = reap_docker_orphans(private_options(engine_, session), true);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(containers_of(engine_, session), 0u);
}

TEST_F(FaultDockerEngine, EngineRestartedBetweenTestsTheSameBackendKeepsWorking) {
  const std::string session = testing_docker::unique("fault-restart");
  auto backend = make_docker_backend(private_options(engine_, session));
  CancelToken cancel;
  {
    auto pod = backend->create_pod(testing_docker::pod_spec("before_restart"));
    const auto r = pod->exec(testing_docker::cmd({"echo", "before"}), cancel);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_data, "before\n");
  }
  engine_.stop(SIGTERM);
  engine_.start();
  {
    auto pod = backend->create_pod(testing_docker::pod_spec("after_restart"));
    const auto r = pod->exec(testing_docker::cmd({"echo", "after"}), cancel);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.stdout_data, "after\n");
  }
  // Teardown is asynchronous and a standby anchor for the next pod may be
  // warming: the guarantee is that nothing is left once the backend is gone.
  backend.reset();
  EXPECT_EQ(containers_of(engine_, session), 0u);
}

// The runner over the Docker backend when the engine dies in the middle of a
// run: run_tests returns, every test that could not finish is an Error or
// Failed with a message (none passes, none hangs), and once the engine is
// back nothing of the session is left after a reap.
TEST_F(FaultDockerEngine, EngineKilledMidRunTheRunnerReportsErrorsAndReturns) {
  const std::string session = testing_docker::unique("fault-run");
  std::vector<TestSpec> specs;
  for (int i = 0; i < 4; ++i) {
    const std::string name = "engine_dies_" + std::to_string(i);
    auto r = parse_test_text("[test.metadata]\nname = \"" + name + "\"\n[[steps]]\nname = \"slow\"\n"
                             "command = [\"sleep\", \"8\"]\n",
                             name + ".clnrm.toml");
    ASSERT_TRUE(r.ok()) << r.diagnostics.front().format();
    specs.push_back(std::move(*r.spec));
  }
  Session env(make_docker_backend(private_options(engine_, session)));
  register_builtin_plugins(env.services());
  RunOptions options;
  options.jobs = 2;
  auto run = std::async(std::launch::async, [&] { return run_tests(env, specs, options); });
  std::this_thread::sleep_for(std::chrono::seconds(4));  // two tests are in their step
  engine_.crash();
  ASSERT_EQ(run.wait_for(std::chrono::seconds(180)), std::future_status::ready) << "the run hangs after the engine died";
  const RunResult result = run.get();
  ASSERT_EQ(result.tests.size(), specs.size());
  for (const auto& t : result.tests) {
    EXPECT_TRUE(t.status == Status::Error || t.status == Status::Failed)
        << t.name << ": " << to_string(t.status) << " " << t.message;
    EXPECT_FALSE(t.message.empty()) << t.name << " failed without saying why";
  }
  engine_.start();
  const auto report = reap_docker_orphans(private_options(engine_, session), true);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(containers_of(engine_, session), 0u);
}

// While the engine is down, creating a pod is a clear error, not a hang.
TEST_F(FaultDockerEngine, EngineDownWhenATestStartsIsAnErrorNotAHang) {
  const std::string session = testing_docker::unique("fault-down");
  auto backend = make_docker_backend(private_options(engine_, session));
  engine_.stop(SIGTERM);
  auto attempt = std::async(std::launch::async, [&] {
    try {
      CancelToken cancel;
      auto pod = backend->create_pod(testing_docker::pod_spec("engine_down"));  // lazy: no request yet
      const auto r = pod->exec(testing_docker::cmd({"true"}), cancel);
      return r.exit_code == 0 ? std::string() : "exit " + std::to_string(r.exit_code) + ": " + r.stderr_data;
    } catch (const Error& e) {
      return e.describe();
    }
  });
  ASSERT_EQ(attempt.wait_for(kHang), std::future_status::ready) << "create_pod hangs with the engine down";
  const std::string message = attempt.get();
  EXPECT_FALSE(message.empty()) << "a step succeeded with the engine stopped";
  EXPECT_NE(message.find(engine_.socket()), std::string::npos) << "the error does not name the engine: " << message;
}

}  // namespace
}  // namespace clnrm
