// One step: build its process spec, run it where it belongs, check it.
#include "run/step_runner.h"

#include <clnrm/assertions.h>
#include <clnrm/error.h>
#include <clnrm/metrics.h>
#include <clnrm/output_tail.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm::run {
namespace {

const CancelToken kNeverCancelled;

ServiceInstance* find_service(const StepContext& ctx, std::string_view name) {
  if (!ctx.services) return nullptr;
  for (const RunningService& s : *ctx.services)
    if (s.name == name) return s.instance;
  return nullptr;
}

void count(Metrics* metrics, const StepResult& r) {
  if (metrics) record_step_metrics(*metrics, r);
}

}  // namespace

StepResult skipped_step(const StepSpec& step, std::string_view scenario, std::string reason) {
  StepResult r;
  r.name = step.name;
  r.scenario = std::string(scenario);
  r.command = step.command;
  r.service = step.service;
  r.status = Status::Skipped;
  r.message = std::move(reason);
  return r;
}

StepResult run_step(const StepContext& ctx, const StepSpec& step, std::string_view scenario) {
  StepResult r;
  r.name = step.name;
  r.scenario = std::string(scenario);
  r.command = step.command;
  r.service = step.service;
  r.started = std::chrono::system_clock::now();
  const auto t0 = Clock::now();
  const CancelToken& cancel = ctx.cancel ? *ctx.cancel : kNeverCancelled;

  // The test's deadline bounds every step: the backend kills the step when
  // the smaller of the two timeouts passes.
  std::optional<Duration> timeout = step.timeout;
  bool bounded_by_test = false;
  if (ctx.deadline) {
    const auto left =
        std::chrono::ceil<Duration>(*ctx.deadline - t0);  // ceil: never kill before the deadline
    if (left.count() <= 0) {
      r.status = Status::TimedOut;
      r.message = fmt::format("step '{}' not started: {} had passed", step.name, ctx.deadline_owner);
      return r;
    }
    if (!timeout || left < *timeout) {
      timeout = left;
      bounded_by_test = true;
    }
  }

  try {
    ProcessSpec p;
    p.name = step.name;
    p.argv = step.command;
    p.env = step_environment(*ctx.base_env, step.name, step.env);
    p.workdir = step.workdir;
    p.stdin_data = step.stdin_data;
    p.timeout = timeout;
    if (!step.service.empty()) {
      ServiceInstance* instance = find_service(ctx, step.service);
      if (!instance)
        throw Error(ErrorKind::Config,
                    fmt::format("service '{}' is not running in this test", step.service),
                    fmt::format("step '{}'", step.name));
      r.exec = instance->exec(p, cancel);
    } else {
      r.exec = ctx.pod->exec(p, cancel);
    }
  } catch (const Error& e) {
    r.duration = Clock::now() - t0;
    r.status = e.kind() == ErrorKind::Cancelled ? Status::Cancelled : Status::Error;
    r.message = fmt::format("step '{}': {}", step.name, e.describe());
    count(ctx.metrics, r);
    return r;
  } catch (const std::exception& e) {
    r.duration = Clock::now() - t0;
    r.status = Status::Error;
    r.message = fmt::format("step '{}': internal error: {}", step.name, e.what());
    count(ctx.metrics, r);
    return r;
  }
  r.duration = Clock::now() - t0;
  if (r.exec.usage.wall.count() == 0) r.exec.usage.wall = r.duration;

  bool passed = check_step(step, r.exec, r.assertions);
  // The checks that look into the cleanroom after the step: in the step's
  // filesystem (its service's when it names one) and the pod's network. Not
  // on a backend that runs nothing (--backend null passes everything).
  const bool runs_processes = !ctx.env || ctx.env->backend().capabilities().runs_processes;
  if (runs_processes && !r.exec.timed_out && !cancel.cancelled()) {
    StepSurroundings where;
    ServiceInstance* instance = step.service.empty() ? nullptr : find_service(ctx, step.service);
    where.exec = [&](const ProcessSpec& probe) {
      ProcessSpec p = probe;
      p.env = *ctx.base_env;
      if (ctx.deadline) {
        const auto left = std::chrono::ceil<Duration>(*ctx.deadline - Clock::now());
        if (left.count() <= 0) throw Error(ErrorKind::Timeout, ctx.deadline_owner + " had passed");
        if (!p.timeout || left < *p.timeout) p.timeout = left;
      }
      return instance ? instance->exec(p, cancel) : ctx.pod->exec(p, cancel);
    };
    where.pod = ctx.pod;
    where.cancel = &cancel;
    where.deadline = ctx.deadline;
    where.deadline_owner = ctx.deadline_owner;
    where.update_golden = ctx.update_golden;
    passed = check_step_expectations(step, r.exec, where, r.assertions) && passed;
  }
  if (passed && ctx.enforce_step_budgets && step.max_duration && r.duration > *step.max_duration) {
    // A single run: the budget applies to that run's duration.
    AssertionResult& a = r.assertions.emplace_back();
    a.name = "max_duration";
    a.passed = false;
    a.message = fmt::format("step '{}' took {}, over its max_duration {}", step.name,
                            format_duration(r.duration), format_duration(*step.max_duration));
    passed = false;
  }
  if (cancel.cancelled() && (!passed || r.exec.term_signal != 0)) {
    r.status = Status::Cancelled;
    r.message = fmt::format("step '{}' was cancelled (SIGINT/SIGTERM)", step.name);
  } else if (passed) {
    r.status = Status::Passed;
  } else if (r.exec.timed_out) {
    r.status = Status::TimedOut;
    r.message = fmt::format("step '{}' ([{}]) timed out after {} ({}) and was killed", step.name,
                            fmt::join(step.command, " "), format_duration(*timeout),
                            bounded_by_test ? ctx.deadline_owner : "its `timeout`");
    // Show what it printed before it hung.
    if (!r.exec.stdout_data.empty())
      r.message += "\n  stdout before the kill (tail):\n" +
                   indent_lines(output_tail(r.exec.stdout_data), "    | ");
    if (!r.exec.stderr_data.empty())
      r.message += "\n  stderr before the kill (tail):\n" +
                   indent_lines(output_tail(r.exec.stderr_data), "    | ");
  } else {
    r.status = Status::Failed;
    r.message = describe_failed_checks(step, r.exec, r.assertions);
  }
  count(ctx.metrics, r);
  return r;
}

}  // namespace clnrm::run
