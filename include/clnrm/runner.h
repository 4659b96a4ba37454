#pragma once
// The runner: a plan of tests -> results. One test = one cleanroom (pod):
// create pod -> start services in dependency order -> wait ready -> steps ->
// scenarios -> [assertions] -> teardown (always, RAII). Tests of a plan run
// in parallel on `jobs` worker lanes.

#include <clnrm/cancel.h>
#include <clnrm/session.h>
#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace clnrm {

// Reorders tests (e.g. failed-first, slowest-first from history, shards).
// Gets the parsed tests in file order; returns indices into them. Indices
// left out are not run (sharding); duplicates are an error.
using OrderingFunction = std::function<std::vector<std::size_t>(const std::vector<TestSpec>&)>;

// --keep-logs: gets each started service's whole kept output (sandbox: its
// last 1 MiB; docker: what the engine kept), read before the test's teardown,
// for every test that started services. Called on the worker thread that ran
// the test, possibly from several at once: it must be thread-safe.
using ServiceLogSink =
    std::function<void(const TestResult& test, const ServiceResult& service, std::string_view log)>;

struct Plan {
  std::vector<std::size_t> order;  // indices into the tests, in run order
  int jobs = 1;                    // worker lanes
};

struct RunOptions {
  int jobs = 0;                                  // <= 0: number of cores
  bool fail_fast = false;                        // after a failure, start no new test
  std::optional<Duration> default_test_timeout;  // for tests without their own timeout
  const CancelToken* cancel = nullptr;           // SIGINT/SIGTERM; null: never cancelled
  OrderingFunction ordering;                     // null: file order
  // Called once per test as it finishes (also for skipped ones), serialised
  // by the runner, on the worker thread that ran it.
  std::function<void(const TestResult&)> on_test_finished;
  std::function<void(const TestSpec&, int worker)> on_test_started;
  std::optional<std::uint64_t> seed;  // --seed: overrides [determinism] seed
  // --retries: a failed test (not a cancelled one) runs again, in a fresh
  // cleanroom, up to this many more times. A pass after a retry is flaky.
  int retries = 0;
  // --repeat: every test runs this many times (each in a fresh cleanroom).
  // RunResult::tests then holds `repeat` results per test, adjacent, with
  // TestResult::repeat = 0..repeat-1. Steps' max_duration is then checked on
  // the median by the caller (apply_step_budgets), not per run.
  int repeat = 1;
  // false: no step is failed for its max_duration, not even a single run's
  // (TestContext::enforce_step_budgets stays off): every step is reported as
  // it ran. For callers that measure steps rather than judge them
  // (`clnrm bench run`); run_suite then applies no budget over repeats either.
  bool step_budgets = true;
  // false: the runner records no session counters at all (env.metrics() is
  // not touched: no test/step/service/retry counts, no step times). Results
  // are the same; only `--metrics-file` and the report's counters go empty.
  // For callers that export no metrics, and to measure what collection costs.
  bool collect_metrics = true;
  ServiceLogSink service_log_sink;  // null: no --keep-logs
  // --update-golden: a step's `expected_output_file` is rewritten with what
  // the step printed instead of being compared (src/assert/golden_file.cpp).
  bool update_golden = false;
};

// Number of worker lanes for `requested` (<= 0: cores) and `tests` tests.
int effective_jobs(int requested, std::size_t tests);

// Plan order: `options.ordering` when set, else file order. Throws
// Error(Internal) when the ordering returns an index out of range or twice.
Plan make_plan(const std::vector<TestSpec>& tests, const RunOptions& options);

// Per-test context the runner hands down (lane, cancel, deadline).
struct TestContext {
  int worker = 0;
  const CancelToken* cancel = nullptr;
  std::optional<Duration> default_timeout;
  std::optional<std::uint64_t> seed;  // --seed (see RunOptions::seed)
  int attempt = 1;  // 1-based; exported to steps as CLNRM_ATTEMPT
  int repeat = 0;   // 0-based; exported as CLNRM_REPEAT
  // True: a step over its max_duration fails at once (single runs). With
  // --repeat the budget applies to the median instead.
  bool enforce_step_budgets = true;
  bool collect_metrics = true;  // see RunOptions::collect_metrics
  const ServiceLogSink* service_log_sink = nullptr;  // see RunOptions::service_log_sink
  bool update_golden = false;  // see RunOptions::update_golden
};

// Runs one test to completion and tears its cleanroom down. Never throws for
// test failures or backend errors: they become the result's status/message.
TestResult run_test(Session& env, const TestSpec& spec, const TestContext& context);

// Tells the backend the pod the plan's first test will ask for
// (Backend::expect_pod), so that its making overlaps what the caller does
// before run_plan (opening the history). A hint: run_plan is the same
// without it.
void expect_first_pod(Session& env, const std::vector<TestSpec>& tests, const Plan& plan);

// Runs every test of `plan` and returns their results in plan order.
RunResult run_plan(Session& env, const std::vector<TestSpec>& tests, const Plan& plan,
                   const RunOptions& options);

// make_plan + run_plan.
RunResult run_tests(Session& env, const std::vector<TestSpec>& tests,
                    const RunOptions& options);

// Services in an order that starts every service after those it depends_on
// (stable: declaration order otherwise). Throws Error(Config) on a cycle or
// an unknown name, naming them.
std::vector<const ServiceSpec*> service_start_order(const TestSpec& spec);

// 16 hex chars (FNV-1a 64) of the file's bytes; empty when unreadable.
std::string hash_file(const std::string& path);

}  // namespace clnrm
