// One test, start to finish: pod -> services -> steps -> scenarios ->
// [assertions] -> teardown (always).
#include <clnrm/assertions.h>
#include <clnrm/determinism.h>
#include <clnrm/error.h>
#include <clnrm/runner.h>
#include <clnrm/wait.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "run/cleanroom.h"
#include "run/service_logs.h"
#include "run/step_runner.h"

namespace clnrm {
namespace {

using run::Clock;
const CancelToken kNeverCancelled;

PodSpec pod_spec_for(const Session& env, const TestSpec& spec) {
  PodSpec p;
  p.session_id = env.session_id();
  p.test_name = spec.name;
  for (const ServiceSpec& s : spec.services) {
    if (p.image.empty() && !s.image.empty()) p.image = s.image;
    if (!s.rootfs.empty()) p.shared_host_dirs.push_back(s.rootfs);
    if (!s.image.empty() && s.rootfs.empty()) p.service_images.emplace_back(s.name, s.image);
  }
  if (!spec.image.empty()) {
    // The test's default image wins over a service's as the docker pod's
    // step image: steps without `service` run in it on every backend.
    p.image = spec.image;
    p.step_image = spec.image;
    p.step_image_at = fmt::format("{}:{}:{}", spec.file, spec.image_pos.line, spec.image_pos.column);
  }
  if (!p.service_images.empty() || !p.step_image.empty())
    p.image_base_dir = std::filesystem::absolute(std::filesystem::path(spec.file)).parent_path().string();
  p.volumes = spec.cleanroom_volumes();
  p.level = spec.policy.level;
  p.limits = spec.limits;
  p.host_network = spec.policy.host_network && spec.policy.level == SecurityLevel::Low;
  if (spec.determinism.seed || spec.determinism.freeze_clock) p.determinism = spec.determinism;
  p.sequential_steps = spec.services.empty() &&
                       std::none_of(spec.scenarios.begin(), spec.scenarios.end(),
                                    [](const ScenarioSpec& s) { return s.concurrent && s.steps.size() > 1; });
  auto in_service = [](const StepSpec& st) { return !st.service.empty(); };
  auto note_service = [&](const StepSpec& st) {
    if (in_service(st) && std::find(p.services_with_steps.begin(), p.services_with_steps.end(), st.service) ==
                              p.services_with_steps.end())
      p.services_with_steps.push_back(st.service);
  };
  for (const StepSpec& st : spec.steps) note_service(st);
  for (const ScenarioSpec& s : spec.scenarios)
    for (const StepSpec& st : s.steps) note_service(st);
  p.one_service_hosts_pod =
      spec.services.size() == 1 && std::all_of(spec.steps.begin(), spec.steps.end(), in_service) &&
      std::all_of(spec.scenarios.begin(), spec.scenarios.end(), [&](const ScenarioSpec& s) {
        return std::all_of(s.steps.begin(), s.steps.end(), in_service);
      });
  return p;
}

// CLNRM_TEST, plus the [determinism] environment (CLNRM_SEED, TZ, locale,
// libfaketime for freeze_clock) when the test has one. Sorted by key.
EnvList base_environment(const TestSpec& spec, const TestContext& context) {
  EnvList env;
  if (spec.determinism.seed || spec.determinism.freeze_clock || context.seed) {
    DeterminismEnvOptions options;
    options.cli_seed = context.seed;
    env = determinism_environment(spec.determinism, options);
  }
  env.emplace_back("CLNRM_TEST", spec.name);
  if (spec.test_dir_volume) env.emplace_back("CLNRM_TEST_DIR", std::string(kTestDirInCleanroom));
  // Which attempt (--retries) and repeat (--repeat) this is: a step can
  // behave differently on a retry (tests of the retry logic, warm-up work).
  env.emplace_back("CLNRM_ATTEMPT", std::to_string(context.attempt));
  env.emplace_back("CLNRM_REPEAT", std::to_string(context.repeat));
  return run::step_environment(env, {}, {}, /*with_step_name=*/false);
}

// The variables of the base environment that name one test run: a
// `reuse = true` service is shared by every test with the same definition
// and outlives its test, so it gets none of them (they would be wrong for
// the next test, and would make every test's definition, and so its reuse
// identity, different: no two tests could share the instance).
bool names_one_test(const std::string& key) {
  return key == "CLNRM_TEST" || key == "CLNRM_ATTEMPT" || key == "CLNRM_REPEAT";
}

// Services see the test's base environment too (seed, frozen clock); their
// own `env` wins.
ServiceSpec with_base_environment(const ServiceSpec& service, const EnvList& base) {
  ServiceSpec copy = service;
  if (service.reuse) {
    EnvList shared;
    for (const auto& kv : base)
      if (!names_one_test(kv.first)) shared.push_back(kv);
    copy.env = run::step_environment(shared, service.name, service.env);
  } else {
    copy.env = run::step_environment(base, service.name, service.env);
  }
  return copy;
}

// The null backend (src/backend/null_backend.cpp) starts nothing, so nothing
// it "starts" can become ready or needs an image: waiting would only burn
// every wait_for timeout of the file.
bool runs_nothing(const Backend& backend) { return !backend.capabilities().runs_processes; }

bool has_test_assertions(const AssertionsSpec& a) {
  return a.execution_should_be_hermetic || a.container_should_have_executed_commands ||
         a.all_steps_should_pass || a.max_duration_ms;
}

Status status_for(const Error& e, bool deadline_passed) {
  if (e.kind() == ErrorKind::Cancelled) return Status::Cancelled;
  if (deadline_passed) return Status::TimedOut;
  return Status::Error;
}

// Starts every service in dependency order and waits until each is ready.
void start_services(Session& env, run::Cleanroom& room, const TestSpec& spec,
                    const EnvList& base_env, const CancelToken& cancel,
                    std::optional<Clock::time_point> deadline, TestResult& result,
                    std::vector<run::RunningService>& running, Metrics* metrics) {
  for (const ServiceSpec* s : service_start_order(spec)) {
    ServiceResult& sr = result.services.emplace_back();
    sr.name = s->name;
    sr.plugin = s->plugin;
    sr.image = s->image;
    const auto t0 = Clock::now();
    try {
      ServiceHandle& h =
          room.adopt(env.start_service(room.pod(), with_base_environment(*s, base_env), metrics));
      sr.id = h.id;
      sr.reused = h.instance && h.instance->reused();
      sr.pooled = h.instance && h.instance->pooled();
      const auto t1 = Clock::now();
      sr.start_duration = t1 - t0;
      running.push_back({s->name, h.instance.get()});
      if (!runs_nothing(env.backend())) {
        // Nothing in the file says when it is ready: the ports its image
        // exposes do (ServiceInstance::default_ready_ports), when it has any.
        ServiceSpec ready = *s;
        if (ready.wait_for.kind == WaitFor::Kind::None && h.instance) {
          for (const std::uint16_t port : h.instance->default_ready_ports()) ready.ports.push_back(port);
          if (!ready.ports.empty()) ready.wait_for.kind = WaitFor::Kind::Port;
        }
        wait_until_ready(room.pod(), h.instance.get(), ready, cancel, deadline);
      }
      sr.ready_duration = Clock::now() - t1;
    } catch (const Error& e) {
      sr.message = e.describe();
      throw;
    }
  }
}

// A backend that cannot run images must not run a test naming one as if it
// did not: its services and steps would run elsewhere than the file says. A
// service with a `rootfs` too says what to run on the sandbox.
void refuse_unsupported_images(const Backend& backend, const TestSpec& spec) {
  if (backend.capabilities().runs_images || runs_nothing(backend)) return;
  if (!spec.image.empty()) {
    throw Error(ErrorKind::NotSupported,
                fmt::format("{}:{}:{}: the test names image \"{}\", and the {} backend cannot run images: "
                            "run it with --backend docker (or --backend auto with an engine running)",
                            spec.file, spec.image_pos.line, spec.image_pos.column, spec.image, backend.name()),
                "test '" + spec.name + "'");
  }
  for (const ServiceSpec& s : spec.services) {
    if (s.image.empty() || !s.rootfs.empty()) continue;
    throw Error(ErrorKind::NotSupported,
                fmt::format("service '{}' names image \"{}\", and the {} backend cannot run "
                            "images: run it with --backend docker (or --backend auto with an "
                            "engine running), or give the service a `rootfs` for the sandbox",
                            s.name, s.image, backend.name()),
                "test '" + spec.name + "'");
  }
}

}  // namespace

void expect_first_pod(Session& env, const std::vector<TestSpec>& tests, const Plan& plan) {
  if (plan.order.empty()) return;
  try {
    env.backend().expect_pod(pod_spec_for(env, tests[plan.order.front()]));
  } catch (const std::exception&) {
    // A hint: the test's own create_pod says what is wrong.
  }
}

TestResult run_test(Session& env, const TestSpec& spec, const TestContext& context) {
  TestResult r;
  r.file = spec.file;
  r.name = spec.name;
  r.tags = spec.tags;
  r.level = spec.policy.level;
  r.backend = std::string(env.backend().name());
  r.worker = context.worker;
  r.attempts = context.attempt;
  r.repeat = context.repeat;
  r.started = std::chrono::system_clock::now();
  const auto t0 = Clock::now();
  // Null when the run collects no metrics: then nothing below counts.
  Metrics* const metrics = context.collect_metrics ? &env.metrics() : nullptr;
  if (metrics) metrics->add(Metrics::Counter::TestsStarted);
  const CancelToken& cancel = context.cancel ? *context.cancel : kNeverCancelled;
  const std::optional<Duration> timeout = spec.timeout ? spec.timeout : context.default_timeout;
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = t0 + *timeout;
  auto deadline_passed = [&] { return deadline && Clock::now() >= *deadline; };

  const PodSpec pod_spec = pod_spec_for(env, spec);
  EnvList base_env;
  std::vector<run::RunningService> running;
  std::optional<Error> failure;
  bool steps_completed = false;
  try {
    base_env = base_environment(spec, context);
    refuse_unsupported_images(env.backend(), spec);
    run::Cleanroom room(env, env.backend().create_pod(pod_spec));
    r.enforced = room.pod().enforced_limits();
    if (!env.backend().capabilities().keeps_services) {
      for (const ServiceSpec& s : spec.services) {
        if (!s.reuse) continue;
        r.enforced.push_back({"reuse", fmt::format("service '{}': the {} backend keeps no service between tests; "
                                                   "this test starts its own (reuse = true acts on docker only)",
                                                   s.name, env.backend().name()),
                              "ignored"});
      }
    }
    try {
      start_services(env, room, spec, base_env, cancel, deadline, r, running, metrics);

      run::StepContext ctx;
      ctx.env = &env;
      ctx.metrics = metrics;
      ctx.pod = &room.pod();
      ctx.services = &running;
      ctx.base_env = &base_env;
      ctx.cancel = &cancel;
      ctx.deadline = deadline;
      ctx.enforce_step_budgets = context.enforce_step_budgets;
      ctx.update_golden = context.update_golden;
      std::size_t total = spec.steps.size();
      for (const ScenarioSpec& sc : spec.scenarios) total += sc.steps.size();
      r.steps.reserve(total);

      bool go_on = run::run_sequence(ctx, spec.steps, {}, r.steps);
      for (const ScenarioSpec& sc : spec.scenarios) {
        if (go_on) {
          go_on = run::run_scenario(ctx, sc, r.steps);
        } else {
          for (const StepSpec& st : sc.steps)
            r.steps.push_back(run::skipped_step(st, sc.name, "not run: an earlier step failed"));
        }
      }
      steps_completed = true;
    } catch (const Error& e) {
      failure = e;
    }
    // Services' output is read before teardown takes it: on a failure a
    // crashed service's traceback is often the real cause.
    if (!running.empty() && !cancel.cancelled()) {
      const bool may_fail =
          failure || has_test_assertions(spec.assertions) ||
          std::any_of(r.steps.begin(), r.steps.end(),
                      [](const StepResult& s) { return is_failure(s.status); });
      if (may_fail || context.service_log_sink)
        run::capture_service_logs(running, r, may_fail, context.service_log_sink);
    }
    if (std::string problems = room.close(); !problems.empty() && !failure) {
      failure =
          Error(ErrorKind::Backend, "teardown failed: " + problems, "test '" + spec.name + "'");
    }
  } catch (const Error& e) {
    failure = e;  // create_pod (or a throwing close) failed
  } catch (const std::exception& e) {
    failure = Error(ErrorKind::Internal, e.what(), "test '" + spec.name + "'");
  }

  // Steps never reached (a service failed) are listed as skipped.
  if (!steps_completed) {
    const std::string reason = failure ? "not run: the test could not start" : "not run";
    for (const StepSpec& st : spec.steps) r.steps.push_back(run::skipped_step(st, {}, reason));
    for (const ScenarioSpec& sc : spec.scenarios)
      for (const StepSpec& st : sc.steps) r.steps.push_back(run::skipped_step(st, sc.name, reason));
  }

  // [assertions] use facts gathered above, before the verdict.
  TestFacts facts;
  facts.capabilities = env.backend().capabilities();
  facts.own_pod = true;  // the runner never shares a pod between tests
  facts.network_isolated = !pod_spec.host_network;
  facts.all_steps_passed = !r.steps.empty();
  for (const StepResult& s : r.steps) {
    if (s.status != Status::Skipped) ++facts.steps_executed;
    if (s.status != Status::Passed) facts.all_steps_passed = false;
  }
  facts.duration = Clock::now() - t0;
  const bool assertions_ok =
      steps_completed ? check_test_assertions(spec.assertions, facts, r.assertions) : true;

  // Verdict: the first cause wins (cancel > test timeout > error > failure).
  // Its message is the whole text: a step's several failed checks, an
  // error's context lines (reports show it as it is; never cut to one line).
  const StepResult* first_bad = nullptr;
  for (const StepResult& s : r.steps) {
    if (s.status != Status::Passed && s.status != Status::Skipped) {
      first_bad = &s;
      break;
    }
  }
  const bool cancelled =
      cancel.cancelled() && ((failure && failure->kind() == ErrorKind::Cancelled) ||
                             (first_bad && first_bad->status == Status::Cancelled));
  if (cancelled) {
    r.status = Status::Cancelled;
    r.message = "cancelled (SIGINT/SIGTERM)";
  } else if (failure) {
    r.status = status_for(*failure, deadline_passed());
    r.message = r.status == Status::TimedOut
                    ? fmt::format("test timeout {} passed: {}", format_duration(*timeout),
                                  failure->describe())
                    : failure->describe();
  } else if (first_bad && deadline_passed()) {
    r.status = Status::TimedOut;
    r.message = fmt::format("test timeout {} passed during step '{}'", format_duration(*timeout),
                            first_bad->name);
  } else if (first_bad) {
    r.status = first_bad->status == Status::TimedOut ? Status::TimedOut
               : first_bad->status == Status::Error  ? Status::Error
                                                     : Status::Failed;
    r.message = first_bad->message;
  } else if (!assertions_ok) {
    r.status = Status::Failed;
    for (const AssertionResult& a : r.assertions) {
      if (!a.passed) {
        r.message = a.message;
        break;
      }
    }
  } else {
    r.status = Status::Passed;
  }

  if (!is_failure(r.status)) run::drop_service_logs(r);
  r.duration = Clock::now() - t0;
  if (metrics)
    metrics->add(r.status == Status::Passed ? Metrics::Counter::TestsPassed
                                            : Metrics::Counter::TestsFailed);
  return r;
}

}  // namespace clnrm
