#include <clnrm/session.h>
#include <clnrm/error.h>
#include <clnrm/runner.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "run/step_runner.h"
#include "unit/fake_backend.h"
#include "unit/spec_builders.h"

using namespace clnrm;
using build::step;

namespace {

struct Fixture {
  std::shared_ptr<fake::Journal> journal = std::make_shared<fake::Journal>();
  Session env;
  explicit Fixture(Capabilities caps = {}) : env(std::make_shared<fake::Backend>(journal, caps)) {
    register_builtin_plugins(env.services());
  }
  TestResult run(const TestSpec& spec, const CancelToken* cancel = nullptr) {
    TestContext ctx;
    ctx.cancel = cancel;
    return run_test(env, spec, ctx);
  }
};

}  // namespace

TEST(Runner, NullBackendRunsStepsAndPasses) {
  Session env(make_null_backend());
  register_builtin_plugins(env.services());
  TestSpec spec = build::test("t", {step("a", {"true"}), step("b", {"true"})});
  TestResult r = run_test(env, spec, {});
  EXPECT_EQ(r.status, Status::Passed) << r.message;
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].status, Status::Passed);
  EXPECT_EQ(r.backend, "null");
  EXPECT_GT(r.duration.count(), 0);
  EXPECT_NE(r.started, SystemTime{});
  const MetricsSnapshot m = env.metrics().snapshot();
  EXPECT_EQ(m.tests_started, 1u);
  EXPECT_EQ(m.tests_passed, 1u);
  EXPECT_EQ(m.steps_run, 2u);
  EXPECT_EQ(m.steps_failed, 0u);
}

TEST(Runner, StepsRunInOrderWithTestAndStepEnvironment) {
  Fixture f;
  TestSpec spec = build::test("ordered", {step("one", {"echo", "1"}), step("two", {"echo", "2"})});
  spec.determinism.seed = 42;
  spec.steps[1].env = {{"CLNRM_TEST", "overridden"}, {"MODE", "x"}};
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  ASSERT_EQ(f.journal->execs.size(), 2u);
  EXPECT_EQ(f.journal->execs[0].name, "one");
  EXPECT_EQ(f.journal->execs[1].name, "two");
  auto value = [](const EnvList& env, const std::string& key) -> std::string {
    for (const auto& [k, v] : env)
      if (k == key) return v;
    return "<unset>";
  };
  const EnvList& env0 = f.journal->execs[0].env;
  EXPECT_TRUE(std::is_sorted(env0.begin(), env0.end()));
  EXPECT_EQ(value(env0, "CLNRM_SEED"), "42");
  EXPECT_EQ(value(env0, "CLNRM_STEP"), "one");
  EXPECT_EQ(value(env0, "CLNRM_TEST"), "ordered");
  EXPECT_EQ(value(env0, "TZ"), "UTC") << "the [determinism] environment is applied";
  const EnvList& env1 = f.journal->execs[1].env;
  EXPECT_EQ(value(env1, "CLNRM_STEP"), "two");
  EXPECT_EQ(value(env1, "CLNRM_TEST"), "overridden") << "the step's env wins";
  EXPECT_EQ(value(env1, "MODE"), "x");
  EXPECT_EQ(r.steps[0].exec.stdout_data, "1\n");
}

TEST(Runner, FailingStepSkipsTheRestAndTearsDown) {
  Fixture f;
  TestSpec spec = build::test("t", {step("a", {"exit", "3"}), step("b", {"echo", "never"})});
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Failed);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].status, Status::Failed);
  EXPECT_EQ(r.steps[1].status, Status::Skipped);
  EXPECT_NE(r.message.find("step 'a'"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("exited 3, expected exit code 0"), std::string::npos) << r.message;
  EXPECT_EQ(f.journal->execs.size(), 1u);
  EXPECT_EQ(f.journal->live_pods, 0);
  EXPECT_EQ(f.env.metrics().snapshot().tests_failed, 1u);
  EXPECT_EQ(f.env.metrics().snapshot().steps_failed, 1u);
}

TEST(Runner, ContinueOnFailureRunsLaterStepsButStillFails) {
  Fixture f;
  TestSpec spec = build::test("t", {step("a", {"exit", "1"}), step("b", {"echo", "ran"})});
  spec.steps[0].continue_on_failure = true;
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_EQ(r.steps[1].status, Status::Passed);
  EXPECT_EQ(f.journal->execs.size(), 2u);
}

TEST(Runner, StepTimeoutKillsTheStep) {
  Fixture f;
  TestSpec spec = build::test("t", {step("hang", {"sleep", "10000"}), step("after", {"echo"})});
  spec.steps[0].timeout = Duration(30);
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::TimedOut);
  EXPECT_EQ(r.steps[0].status, Status::TimedOut);
  EXPECT_TRUE(r.steps[0].exec.timed_out);
  EXPECT_NE(r.steps[0].message.find("its `timeout`"), std::string::npos) << r.steps[0].message;
  EXPECT_NE(r.steps[0].message.find("started"), std::string::npos)
      << "output before the kill is shown";
  EXPECT_EQ(r.steps[1].status, Status::Skipped);
}

TEST(Runner, ExpectedKillExitCodeDeclaresAnExpectedTimeout) {
  Fixture f;
  TestSpec spec = build::test("t", {step("hang", {"sleep", "10000"})});
  spec.steps[0].timeout = Duration(20);
  spec.steps[0].expected_exit_code = 137;
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Passed) << r.message;
  EXPECT_TRUE(r.steps[0].exec.timed_out);
}

TEST(Runner, TestTimeoutBoundsTheRunningStep) {
  Fixture f;
  TestSpec spec = build::test("t", {step("hang", {"sleep", "10000"})});
  spec.steps[0].timeout = Duration(60'000);
  spec.timeout = Duration(40);
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::TimedOut);
  EXPECT_NE(r.message.find("test timeout"), std::string::npos) << r.message;
  ASSERT_TRUE(f.journal->execs[0].timeout.has_value());
  EXPECT_LE(f.journal->execs[0].timeout->count(), 40);
  EXPECT_EQ(f.journal->live_pods, 0);
}

TEST(Runner, CancelStopsTheRunningStepAndTearsDown) {
  Fixture f;
  CancelToken cancel;
  TestSpec spec = build::test("t", {step("hang", {"sleep", "10000"}), step("b", {"echo"})});
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel.cancel();
  });
  TestResult r = f.run(spec, &cancel);
  EXPECT_EQ(r.status, Status::Cancelled);
  EXPECT_EQ(r.steps[0].status, Status::Cancelled);
  EXPECT_EQ(r.steps[1].status, Status::Skipped);
  EXPECT_EQ(f.journal->live_pods, 0);
}

TEST(Runner, BackendFailureIsAnErrorAndStillTearsDown) {
  Fixture f;
  TestSpec spec = build::test("t", {step("boom", {"throw"})});
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_NE(r.message.find("injected backend failure"), std::string::npos) << r.message;
  EXPECT_EQ(f.journal->live_pods, 0);
}

TEST(Runner, PodCreationFailureIsAnError) {
  Fixture f;
  TestSpec spec = build::test("no-pod", {step("a", {"echo"})});
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_NE(r.message.find("cannot create pod"), std::string::npos);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].status, Status::Skipped);
}

TEST(Runner, ServicesStartInDependencyOrderAndStopInReverse) {
  Fixture f;
  TestSpec spec = build::test("svc", {step("use", {"echo"})});
  spec.services = {build::service("api", {"run"}, {"db", "cache"}), build::service("db", {"run"}),
                   build::service("cache", {"run"}, {"db"})};
  spec.steps[0].service = "api";
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  const std::vector<std::string> want = {"create_pod svc", "start db", "start cache",
                                         "start api",      "exec use", "stop api",
                                         "stop cache",     "stop db",  "destroy svc"};
  EXPECT_EQ(f.journal->snapshot(), want);
  ASSERT_EQ(r.services.size(), 3u);
  EXPECT_EQ(r.services[0].name, "db");
  EXPECT_EQ(f.env.metrics().snapshot().services_started, 3u);
}

TEST(Runner, ServiceThatExitsBeforeReadyFailsWithItsLogs) {
  Fixture f;
  TestSpec spec = build::test("t", {step("a", {"echo"})});
  spec.services = {build::service("db", {"crash"})};
  spec.services[0].wait_for.kind = WaitFor::Kind::Log;
  spec.services[0].wait_for.log = build::pattern("ready");
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Error);
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_NE(r.services[0].message.find("exited with code 3"), std::string::npos)
      << r.services[0].message;
  EXPECT_NE(r.services[0].message.find("fatal: config missing"), std::string::npos)
      << r.services[0].message;
  EXPECT_EQ(r.steps[0].status, Status::Skipped);
  EXPECT_EQ(f.journal->live_pods, 0);
}

TEST(Runner, StepNamingAServiceThatIsNotRunningIsAnError) {
  Fixture f;
  TestSpec spec = build::test("t", {step("a", {"echo"})});
  spec.steps[0].service = "ghost";
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_NE(r.message.find("service 'ghost' is not running"), std::string::npos) << r.message;
}

TEST(Runner, DependencyCycleIsAConfigError) {
  TestSpec spec = build::test("t");
  spec.services = {build::service("a", {"x"}, {"b"}), build::service("b", {"x"}, {"a"})};
  try {
    service_start_order(spec);
    FAIL() << "expected a cycle error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("a, b"), std::string::npos);
  }
  spec.services = {build::service("a", {"x"}, {"nope"})};
  EXPECT_THROW(service_start_order(spec), Error);
}

TEST(Runner, ConcurrentScenarioRunsStepsInParallel) {
  Fixture f;
  TestSpec spec = build::test("t");
  ScenarioSpec sc;
  sc.name = "parallel";
  sc.concurrent = true;
  for (int i = 0; i < 4; ++i) sc.steps.push_back(step("s" + std::to_string(i), {"sleep", "80"}));
  spec.scenarios.push_back(sc);
  ScenarioSpec seq;
  seq.name = "sequential";
  seq.steps = {step("x", {"sleep", "5"}), step("y", {"sleep", "5"})};
  spec.scenarios.push_back(seq);
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  ASSERT_EQ(r.steps.size(), 6u);
  EXPECT_EQ(r.steps[0].scenario, "parallel");
  EXPECT_EQ(r.steps[3].name, "s3");
  EXPECT_EQ(r.steps[5].scenario, "sequential");
  // All four 80 ms steps of the concurrent scenario overlapped.
  EXPECT_EQ(f.journal->max_running, 4);
}

TEST(Runner, SequentialScenarioNeverOverlaps) {
  Fixture f;
  TestSpec spec = build::test("t");
  ScenarioSpec sc;
  sc.name = "seq";
  sc.steps = {step("a", {"sleep", "10"}), step("b", {"sleep", "10"}), step("c", {"sleep", "10"})};
  spec.scenarios.push_back(sc);
  EXPECT_EQ(f.run(spec).status, Status::Passed);
  EXPECT_EQ(f.journal->max_running, 1);
}

TEST(Runner, FailedStepSkipsLaterScenarios) {
  Fixture f;
  TestSpec spec = build::test("t", {step("a", {"exit", "2"})});
  ScenarioSpec sc;
  sc.name = "later";
  sc.steps = {step("b", {"echo"})};
  spec.scenarios.push_back(sc);
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::Failed);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[1].status, Status::Skipped);
  EXPECT_EQ(r.steps[1].scenario, "later");
}

TEST(Runner, AssertionsTableUsesRealFacts) {
  Fixture nonhermetic;  // capabilities all false
  TestSpec spec = build::test("t", {step("a", {"echo"}), step("b", {"echo"})});
  spec.assertions.execution_should_be_hermetic = true;
  spec.assertions.container_should_have_executed_commands = 2;
  spec.assertions.all_steps_should_pass = true;
  TestResult r = nonhermetic.run(spec);
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_NE(r.message.find("execution_should_be_hermetic"), std::string::npos) << r.message;

  Capabilities caps;
  caps.hermetic = caps.network_isolation = true;
  Fixture hermetic(caps);
  EXPECT_EQ(hermetic.run(spec).status, Status::Passed);
  spec.policy.level = SecurityLevel::Low;
  spec.policy.host_network = true;
  EXPECT_EQ(hermetic.run(spec).status, Status::Failed) << "host network is not hermetic";
  spec.policy = {};
  spec.assertions.container_should_have_executed_commands = 3;
  EXPECT_EQ(hermetic.run(spec).status, Status::Failed);
}

TEST(Runner, PlanRunsAllTestsInPlanOrderOnLanes) {
  Fixture f;
  std::vector<TestSpec> tests;
  for (int i = 0; i < 8; ++i)
    tests.push_back(build::test("t" + std::to_string(i), {step("s", {"sleep", "5"})}));
  RunOptions opts;
  opts.jobs = 3;
  std::vector<std::string> finished;
  opts.on_test_finished = [&](const TestResult& t) { finished.push_back(t.name); };
  RunResult run = run_tests(f.env, tests, opts);
  EXPECT_EQ(run.jobs, 3);
  ASSERT_EQ(run.tests.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(run.tests[i].name, "t" + std::to_string(i));
    EXPECT_EQ(run.tests[i].status, Status::Passed);
    EXPECT_GE(run.tests[i].worker, 0);
    EXPECT_LT(run.tests[i].worker, 3);
  }
  EXPECT_EQ(finished.size(), 8u);
  EXPECT_TRUE(run.all_passed());
  EXPECT_EQ(run.exit_code(), 0);
  EXPECT_GE(f.journal->max_running, 2) << "tests ran in parallel";
}

TEST(Runner, OrderingHookDecidesThePlan) {
  std::vector<TestSpec> tests = {build::test("a"), build::test("b"), build::test("c")};
  RunOptions opts;
  opts.ordering = [](const std::vector<TestSpec>&) { return std::vector<std::size_t>{2, 0}; };
  Plan plan = make_plan(tests, opts);
  EXPECT_EQ(plan.order, (std::vector<std::size_t>{2, 0}));
  EXPECT_EQ(plan.jobs, effective_jobs(0, 2));
  opts.ordering = [](const std::vector<TestSpec>&) { return std::vector<std::size_t>{1, 1}; };
  EXPECT_THROW(make_plan(tests, opts), Error);
  opts.ordering = [](const std::vector<TestSpec>&) { return std::vector<std::size_t>{7}; };
  EXPECT_THROW(make_plan(tests, opts), Error);
}

TEST(Runner, EffectiveJobs) {
  EXPECT_EQ(effective_jobs(4, 2), 2);
  EXPECT_EQ(effective_jobs(1, 10), 1);
  EXPECT_GE(effective_jobs(0, 100), 1);
  EXPECT_EQ(effective_jobs(3, 0), 3);
}

TEST(Runner, FailFastSkipsTestsNotYetStarted) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("ok", {step("s", {"echo"})}),
                                 build::test("bad", {step("s", {"exit", "1"})})};
  for (int i = 0; i < 4; ++i)
    tests.push_back(build::test("later" + std::to_string(i), {step("s", {"echo"})}));
  RunOptions opts;
  opts.jobs = 1;
  opts.fail_fast = true;
  RunResult run = run_tests(f.env, tests, opts);
  EXPECT_EQ(run.tests[0].status, Status::Passed);
  EXPECT_EQ(run.tests[1].status, Status::Failed);
  for (int i = 2; i < 6; ++i) {
    EXPECT_EQ(run.tests[i].status, Status::Skipped);
    EXPECT_NE(run.tests[i].message.find("--fail-fast"), std::string::npos);
  }
  EXPECT_EQ(run.exit_code(), 1);
  EXPECT_EQ(f.env.metrics().snapshot().tests_started, 2u);
}

TEST(Runner, WithoutFailFastEveryTestRuns) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("bad", {step("s", {"exit", "1"})}),
                                 build::test("ok", {step("s", {"echo"})})};
  RunOptions opts;
  opts.jobs = 1;
  RunResult run = run_tests(f.env, tests, opts);
  EXPECT_EQ(run.tests[1].status, Status::Passed);
  EXPECT_EQ(run.count(Status::Failed), 1u);
}

TEST(Runner, CancelledRunSkipsTestsNotStarted) {
  Fixture f;
  CancelToken cancel;
  cancel.cancel();
  std::vector<TestSpec> tests = {build::test("a", {step("s", {"echo"})}),
                                 build::test("b", {step("s", {"echo"})})};
  RunOptions opts;
  opts.cancel = &cancel;
  RunResult run = run_tests(f.env, tests, opts);
  EXPECT_EQ(run.count(Status::Skipped), 2u);
  EXPECT_TRUE(f.journal->execs.empty());
}

TEST(Runner, StepEnvironmentIsSortedAndStepWins) {
  EnvList base = {{"A", "1"}, {"CLNRM_TEST", "t"}};
  EnvList env = run::step_environment(base, "s", {{"A", "2"}, {"Z", "9"}});
  const EnvList want = {{"A", "2"}, {"CLNRM_STEP", "s"}, {"CLNRM_TEST", "t"}, {"Z", "9"}};
  EXPECT_EQ(env, want);
}

TEST(Runner, WithoutDeterminismStepsGetOnlyTheClnrmVariables) {
  Fixture f;
  TestSpec spec = build::test("plain", {step("one", {"echo"})});
  ASSERT_EQ(f.run(spec).status, Status::Passed);
  const EnvList want = {{"CLNRM_ATTEMPT", "1"},
                        {"CLNRM_REPEAT", "0"},
                        {"CLNRM_STEP", "one"},
                        {"CLNRM_TEST", "plain"}};
  EXPECT_EQ(f.journal->execs[0].env, want);
}

TEST(Runner, AttemptAndRepeatAreExportedToSteps) {
  Fixture f;
  TestSpec spec = build::test("again", {step("one", {"echo"})});
  TestContext ctx;
  ctx.attempt = 3;
  ctx.repeat = 4;
  TestResult r = run_test(f.env, spec, ctx);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.repeat, 4);
  const EnvList& env = f.journal->execs[0].env;
  EXPECT_EQ(env[0], (std::pair<std::string, std::string>{"CLNRM_ATTEMPT", "3"}));
  EXPECT_EQ(env[1], (std::pair<std::string, std::string>{"CLNRM_REPEAT", "4"}));
}

// A `reuse = true` service is shared between tests: it must not get the
// variables naming one test (they would differ per test and so would its
// reuse identity), and an adopted instance is reported and counted as
// reused, not as started or created.
TEST(Runner, AReusedServiceGetsNoPerTestVariablesAndIsCountedAsReused) {
  Capabilities caps;
  caps.keeps_services = true;
  Fixture f(caps);
  TestSpec spec = build::test("shared", {step("s", {"echo"})});
  spec.services = {build::service("warm", {"warm"}), build::service("fresh", {"run"})};
  spec.services[0].reuse = true;
  spec.services[0].env = {{"MODE", "x"}};
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_TRUE(r.services[0].reused);
  EXPECT_FALSE(r.services[1].reused);
  auto has_key = [](const EnvList& env, const std::string& key) {
    return std::any_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == key; });
  };
  ASSERT_EQ(f.journal->services.size(), 2u);
  const EnvList& shared = f.journal->services[0].env;
  for (const char* key : {"CLNRM_TEST", "CLNRM_ATTEMPT", "CLNRM_REPEAT"}) {
    EXPECT_FALSE(has_key(shared, key)) << key;
    EXPECT_TRUE(has_key(f.journal->services[1].env, key)) << key;
  }
  EXPECT_TRUE(has_key(shared, "MODE"));
  const MetricsSnapshot m = f.env.metrics().snapshot();
  EXPECT_EQ(m.containers_reused, 1u);
  EXPECT_EQ(m.containers_created, 1u);
  EXPECT_EQ(m.services_started, 1u);
  EXPECT_TRUE(std::none_of(r.enforced.begin(), r.enforced.end(), [](const EnforcedLimit& e) { return e.what == "reuse"; }));
}

TEST(Runner, ReuseOnABackendThatKeepsNoServiceIsReportedIgnored) {
  Fixture f;  // keeps_services = false, like the sandbox
  TestSpec spec = build::test("unshared", {step("s", {"echo"})});
  spec.services = {build::service("db", {"run"})};
  spec.services[0].reuse = true;
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  EXPECT_FALSE(r.services[0].reused);
  auto it = std::find_if(r.enforced.begin(), r.enforced.end(), [](const EnforcedLimit& e) { return e.what == "reuse"; });
  ASSERT_NE(it, r.enforced.end());
  EXPECT_EQ(it->value, "ignored");
  EXPECT_NE(it->mechanism.find("service 'db'"), std::string::npos) << it->mechanism;
}

TEST(Runner, ServicesGetTheTestEnvironmentAndTheirOwn) {
  Fixture f;
  TestSpec spec = build::test("svc-env", {step("s", {"echo"})});
  spec.determinism.seed = 7;
  spec.services = {build::service("db", {"run"})};
  spec.services[0].env = {{"CLNRM_SEED", "service-wins"}, {"PORT", "1"}};
  TestContext ctx;
  ctx.seed = 99;  // --seed overrides [determinism] seed for steps
  TestResult r = run_test(f.env, spec, ctx);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  const EnvList& stepenv = f.journal->execs[0].env;
  EXPECT_TRUE(std::find(stepenv.begin(), stepenv.end(),
                        std::pair<std::string, std::string>{"CLNRM_SEED", "99"}) != stepenv.end());
  ASSERT_EQ(f.journal->services.size(), 1u);
  const EnvList& senv = f.journal->services[0].env;
  EXPECT_TRUE(std::find(senv.begin(), senv.end(),
                        std::pair<std::string, std::string>{"CLNRM_SEED", "service-wins"}) !=
              senv.end());
  EXPECT_TRUE(std::find(senv.begin(), senv.end(),
                        std::pair<std::string, std::string>{"CLNRM_TEST", "svc-env"}) !=
              senv.end());
  EXPECT_TRUE(std::find(senv.begin(), senv.end(),
                        std::pair<std::string, std::string>{"PORT", "1"}) != senv.end());
}

TEST(Runner, RetriesRerunAFailedTestInAFreshPodAndMarkAPassFlaky) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("flaky", {step("s", {"fail-on-attempt", "1"})})};
  RunOptions options;
  options.jobs = 1;
  options.retries = 3;
  RunResult run = run_tests(f.env, tests, options);
  ASSERT_EQ(run.tests.size(), 1u);
  const TestResult& t = run.tests[0];
  EXPECT_EQ(t.status, Status::Passed) << t.message;
  EXPECT_EQ(t.attempts, 2);
  EXPECT_TRUE(t.flaky);
  EXPECT_NE(t.message.find("attempt 1 failed"), std::string::npos) << t.message;
  EXPECT_EQ(f.env.metrics().snapshot().retries, 1u);
  int pods = 0;
  for (const std::string& e : f.journal->snapshot()) pods += e.rfind("create_pod", 0) == 0;
  EXPECT_EQ(pods, 2) << "every attempt gets a fresh cleanroom";
}

TEST(Runner, RetriesAreExhaustedByAConsistentFailure) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("broken", {step("s", {"exit", "2"})})};
  RunOptions options;
  options.jobs = 1;
  options.retries = 2;
  RunResult run = run_tests(f.env, tests, options);
  EXPECT_EQ(run.tests[0].status, Status::Failed);
  EXPECT_EQ(run.tests[0].attempts, 3);
  EXPECT_FALSE(run.tests[0].flaky);
  EXPECT_EQ(f.env.metrics().snapshot().retries, 2u);
}

TEST(Runner, WithoutRetriesAPassIsNeverFlaky) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("ok", {step("s", {"fail-on-attempt", "2"})})};
  RunResult run = run_tests(f.env, tests, {});
  EXPECT_EQ(run.tests[0].status, Status::Passed);
  EXPECT_EQ(run.tests[0].attempts, 1);
  EXPECT_FALSE(run.tests[0].flaky);
}

TEST(Runner, RepeatRunsEveryTestNTimesAdjacentInPlanOrder) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("a", {step("s", {"echo"})}),
                                 build::test("b", {step("s", {"echo"})})};
  RunOptions options;
  options.jobs = 2;
  options.repeat = 3;
  RunResult run = run_tests(f.env, tests, options);
  ASSERT_EQ(run.tests.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(run.tests[i].name, i < 3 ? "a" : "b");
    EXPECT_EQ(run.tests[i].repeat, static_cast<int>(i % 3));
    EXPECT_EQ(run.tests[i].status, Status::Passed);
  }
  EXPECT_EQ(f.journal->execs.size(), 6u);
}

namespace {

// A run that moves every counter the runner keeps: a service, steps that
// pass, a test that fails twice (one retry) and one that passes on its retry.
std::vector<TestSpec> counted_tests() {
  TestSpec served = build::test("served", {step("use", {"echo"}), step("local", {"echo"})});
  served.services = {build::service("db", {"run"})};
  served.steps[0].service = "db";
  return {served, build::test("broken", {step("s", {"exit", "2"})}),
          build::test("flaky", {step("s", {"fail-on-attempt", "1"})})};
}

RunResult run_counted(Fixture& f, bool collect_metrics) {
  RunOptions options;
  options.jobs = 1;
  options.retries = 1;
  options.collect_metrics = collect_metrics;
  return run_tests(f.env, counted_tests(), options);
}

}  // namespace

TEST(Runner, MetricsCountEveryAttemptStepServiceAndRetry) {
  Fixture f;
  const RunResult run = run_counted(f, true);
  ASSERT_EQ(run.tests.size(), 3u);
  EXPECT_EQ(run.tests[0].status, Status::Passed) << run.tests[0].message;
  EXPECT_EQ(run.tests[1].status, Status::Failed);
  EXPECT_EQ(run.tests[2].status, Status::Passed) << run.tests[2].message;
  const MetricsSnapshot m = f.env.metrics().snapshot();
  // Attempts: served 1, broken 2, flaky 2; every attempt counts as run.
  EXPECT_EQ(m.tests_started, 5u);
  EXPECT_EQ(m.tests_passed, 2u);  // served, flaky's second attempt
  EXPECT_EQ(m.tests_failed, 3u);  // broken twice, flaky's first attempt
  EXPECT_EQ(m.steps_run, 6u);
  EXPECT_EQ(m.steps_failed, 3u);
  EXPECT_EQ(m.services_started, 1u);
  EXPECT_EQ(m.retries, 2u);
  EXPECT_GT(m.step_wall_ns, 0u);
}

TEST(Runner, StepWallCounterIsTheSumOfTheStepsDurations) {
  Fixture f;
  const TestResult r =
      f.run(build::test("timed", {step("a", {"echo"}), step("b", {"sleep", "2"})}));
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  std::int64_t total = 0;
  for (const StepResult& s : r.steps) total += s.duration.count();
  EXPECT_EQ(f.env.metrics().snapshot().step_wall_ns, static_cast<std::uint64_t>(total));
}

TEST(Runner, MetricsOffCountsNothingAndChangesNoResult) {
  Fixture on;
  Fixture off;
  const RunResult with = run_counted(on, true);
  const RunResult without = run_counted(off, false);
  for (unsigned c = 0; c < static_cast<unsigned>(Metrics::Counter::kCount); ++c)
    EXPECT_EQ(off.env.metrics().get(static_cast<Metrics::Counter>(c)), 0u) << "counter " << c;
  ASSERT_EQ(without.tests.size(), with.tests.size());
  for (std::size_t i = 0; i < with.tests.size(); ++i) {
    const TestResult& a = with.tests[i];
    const TestResult& b = without.tests[i];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.status, a.status) << b.name;
    EXPECT_EQ(b.message, a.message) << b.name;
    EXPECT_EQ(b.attempts, a.attempts) << b.name;
    EXPECT_EQ(b.flaky, a.flaky) << b.name;
    EXPECT_EQ(b.services.size(), a.services.size()) << b.name;
    ASSERT_EQ(b.steps.size(), a.steps.size()) << b.name;
    for (std::size_t s = 0; s < a.steps.size(); ++s)
      EXPECT_EQ(b.steps[s].status, a.steps[s].status) << b.name << " step " << s;
  }
  // The backend saw the same pods, services and execs in the same order.
  EXPECT_EQ(off.journal->snapshot(), on.journal->snapshot());
}

// Issue 14 item 4: a failed test carries the end of every service's output,
// read before teardown (a crashed service's traceback is the real cause).
TEST(Runner, AFailedTestCarriesEveryServicesLogTailReadBeforeTeardown) {
  Fixture f;
  TestSpec spec = build::test("t", {step("call", {"exit", "52"})});
  spec.services = {
      build::service("api", {"logger", "Traceback (most recent call last):", "ValueError: boom"}),
      build::service("quiet", {"run"})};
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Failed) << r.message;
  ASSERT_EQ(r.services.size(), 2u);
  EXPECT_TRUE(r.services[0].log_captured);
  EXPECT_EQ(r.services[0].log_tail, "Traceback (most recent call last):\nValueError: boom");
  EXPECT_TRUE(r.services[1].log_captured);
  EXPECT_EQ(r.services[1].log_tail, "");
  const std::string text = service_logs_report(r);
  EXPECT_NE(text.find("service 'api', the end of its output:\n  | Traceback"), std::string::npos)
      << text;
  EXPECT_NE(text.find("service 'quiet' wrote no output"), std::string::npos) << text;
}

TEST(Runner, APassingTestCarriesNoServiceLogs) {
  Fixture f;
  TestSpec spec = build::test("t", {step("call", {"echo", "ok"})});
  spec.services = {build::service("api", {"logger", "hello"})};
  TestResult r = f.run(spec);
  ASSERT_EQ(r.status, Status::Passed) << r.message;
  EXPECT_FALSE(r.services[0].log_captured);
  EXPECT_EQ(r.services[0].log_tail, "");
  EXPECT_EQ(service_logs_report(r), "");
}

TEST(Runner, AServiceLogTailIsItsLastFiftyLines) {
  Fixture f;
  std::vector<std::string> args = {"logger"};
  for (int i = 1; i <= 200; ++i) args.push_back("line " + std::to_string(i));
  TestSpec spec = build::test("t", {step("call", {"exit", "1"})});
  spec.services = {build::service("api", args)};
  TestResult r = f.run(spec);
  const std::string& tail = r.services[0].log_tail;
  EXPECT_NE(tail.find("line 200"), std::string::npos) << tail;
  EXPECT_NE(tail.find("line 151"), std::string::npos) << tail;
  EXPECT_EQ(tail.find("line 150\n"), std::string::npos) << tail;
  EXPECT_LE(tail.size(), kServiceLogTailBytes + 4);
}

TEST(Runner, KeepLogsSinkGetsEveryServicesWholeLogAlsoOnAPass) {
  Fixture f;
  TestSpec spec = build::test("t", {step("call", {"echo", "ok"})});
  spec.services = {build::service("api", {"logger", "one", "two"})};
  std::mutex m;
  std::vector<std::string> got;
  RunOptions options;
  options.jobs = 1;
  options.service_log_sink = [&](const TestResult& t, const ServiceResult& s,
                                 std::string_view log) {
    std::lock_guard lock(m);
    got.push_back(t.name + "/" + s.name + ":" + std::string(log));
  };
  RunResult run = run_tests(f.env, {spec}, options);
  ASSERT_EQ(run.tests[0].status, Status::Passed);
  EXPECT_EQ(got, std::vector<std::string>{"t/api:one\ntwo\n"});
}

// Issue 14 item 12: a scenario's timeout is the scenario's, not the test's.
TEST(Runner, ScenarioTimeoutIsReportedAsTheScenariosNamingIt) {
  Fixture f;
  TestSpec spec = build::test("t");
  ScenarioSpec sc;
  sc.name = "slowpoke";
  sc.timeout = std::chrono::milliseconds(50);
  sc.steps = {step("wait", {"sleep", "5000"})};
  spec.scenarios.push_back(sc);
  TestResult r = f.run(spec);
  EXPECT_EQ(r.status, Status::TimedOut) << r.message;
  EXPECT_NE(r.message.find("scenario 'slowpoke' timeout 50.0ms"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("the test's timeout"), std::string::npos) << r.message;
}

TEST(Runner, RetriesKeepTheFailedAttemptsOfAFlakyPass) {
  Fixture f;
  std::vector<TestSpec> tests = {build::test("flaky", {step("s", {"fail-on-attempt", "1"})})};
  RunOptions options;
  options.jobs = 1;
  options.retries = 2;
  RunResult run = run_tests(f.env, tests, options);
  const TestResult& t = run.tests[0];
  ASSERT_TRUE(t.flaky);
  ASSERT_EQ(t.failed_attempts.size(), 1u);
  EXPECT_EQ(t.failed_attempts[0].attempt, 1);
  EXPECT_EQ(t.failed_attempts[0].status, Status::Failed);
  EXPECT_NE(t.failed_attempts[0].details.find("exited 1, expected exit code 0"), std::string::npos)
      << t.failed_attempts[0].details;
}
