// The JSON report: the whole RunResult. Field names are a contract (see
// docs/report-json.md); add fields, never rename. Durations are milliseconds
// as floating point ("*_ms"), timestamps RFC 3339 UTC.
#include <clnrm/report.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace clnrm {
namespace {

using nlohmann::json;

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

json assertions_json(const std::vector<AssertionResult>& list) {
  json out = json::array();
  for (const AssertionResult& a : list)
    out.push_back({{"name", a.name}, {"passed", a.passed}, {"message", a.message}});
  return out;
}

json step_json(const StepResult& s, bool include_output) {
  json j = {
      {"name", s.name},
      {"scenario", s.scenario},
      {"service", s.service},
      {"command", s.command},
      {"status", to_string(s.status)},
      {"message", s.message},
      {"started", format_rfc3339(s.started)},
      {"duration_ms", ms(s.duration)},
      {"exit_code", s.exec.exit_code},
      {"term_signal", s.exec.term_signal},
      {"timed_out", s.exec.timed_out},
      {"oom_killed", s.exec.oom_killed},
      {"usage",
       {{"wall_ms", ms(s.exec.usage.wall)},
        {"user_cpu_ms", static_cast<double>(s.exec.usage.user_cpu.count()) / 1e3},
        {"system_cpu_ms", static_cast<double>(s.exec.usage.system_cpu.count()) / 1e3},
        {"max_rss_kb", s.exec.usage.max_rss_kb}}},
      {"assertions", assertions_json(s.assertions)},
  };
  if (include_output) {
    j["stdout"] = s.exec.stdout_data;
    j["stderr"] = s.exec.stderr_data;
  }
  return j;
}

json test_json(const TestResult& t, bool include_output) {
  json services = json::array();
  for (const ServiceResult& s : t.services) {
    services.push_back({{"name", s.name},
                        {"plugin", s.plugin},
                        {"image", s.image},
                        {"id", s.id},
                        {"reused", s.reused}, {"pooled", s.pooled},
                        {"start_ms", ms(s.start_duration)},
                        {"ready_ms", ms(s.ready_duration)},
                        {"message", s.message},
                        // On a failed test: the service's state and the end of its output.
                        {"state", s.state},
                        {"log_tail", s.log_tail}});
  }
  json failed_attempts = json::array();
  for (const FailedAttempt& a : t.failed_attempts)
    failed_attempts.push_back({{"attempt", a.attempt},
                               {"status", to_string(a.status)},
                               {"message", a.message},
                               {"details", a.details}});
  json steps = json::array();
  for (const StepResult& s : t.steps) steps.push_back(step_json(s, include_output));
  json enforced = json::array();
  for (const EnforcedLimit& e : t.enforced)
    enforced.push_back({{"what", e.what}, {"mechanism", e.mechanism}, {"value", e.value}});
  return {
      {"file", t.file},
      {"file_hash", t.file_hash},
      {"name", t.name},
      {"tags", t.tags},
      {"status", to_string(t.status)},
      {"message", t.message},
      {"security_level", to_string(t.level)},
      {"backend", t.backend},
      {"enforced", std::move(enforced)},
      {"attempts", t.attempts},
      {"flaky", t.flaky},
      {"failed_attempts", std::move(failed_attempts)},
      {"repeat", t.repeat},
      {"worker", t.worker},
      {"started", format_rfc3339(t.started)},
      {"duration_ms", ms(t.duration)},
      {"services", std::move(services)},
      {"steps", std::move(steps)},
      {"assertions", assertions_json(t.assertions)},
  };
}

}  // namespace

std::string run_result_to_json(const RunResult& run, bool include_output) {
  json tests = json::array();
  for (const TestResult& t : run.tests) tests.push_back(test_json(t, include_output));
  json j = {
      {"schema", "clnrm.run.v1"},
      {"session_id", run.session_id},
      {"backend", run.backend},
      {"started", format_rfc3339(run.started)},
      {"duration_ms", ms(run.duration)},
      {"jobs", run.jobs},
      {"exit_code", run.exit_code()},
      {"summary",
       {{"total", run.tests.size()},
        {"passed", run.count(Status::Passed)},
        {"failed", run.count(Status::Failed)},
        {"error", run.count(Status::Error)},
        {"timed_out", run.count(Status::TimedOut)},
        {"skipped", run.count(Status::Skipped)},
        {"cancelled", run.count(Status::Cancelled)},
        // Passed only after a --retries retry (also counted in "passed").
        {"flaky", std::count_if(run.tests.begin(), run.tests.end(), [](const TestResult& t) {
           return t.flaky && t.status == Status::Passed;
         })}}},
      {"tests", std::move(tests)},
  };
  // Command output may hold invalid UTF-8: replace it rather than throw.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace clnrm
