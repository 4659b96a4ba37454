#include <clnrm/metrics_formats.h>

#include <nlohmann/json.hpp>

namespace clnrm {
namespace {

double seconds(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1e9; }
double seconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1e6; }

}  // namespace

nlohmann::json metrics_to_json(const MetricsSnapshot& c, const RunResult& run) {
  nlohmann::json counters = {
      {"tests_started", c.tests_started},
      {"tests_passed", c.tests_passed},
      {"tests_failed", c.tests_failed},
      {"steps_run", c.steps_run},
      {"steps_failed", c.steps_failed},
      {"services_started", c.services_started},
      {"containers_created", c.containers_created},
      {"containers_reused", c.containers_reused},
      {"retries", c.retries},
      {"step_wall_seconds", static_cast<double>(c.step_wall_ns) / 1e9},
      {"step_cpu_user_seconds", static_cast<double>(c.step_user_cpu_us) / 1e6},
      {"step_cpu_system_seconds", static_cast<double>(c.step_system_cpu_us) / 1e6}};
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& t : run.tests) {
    nlohmann::json services = nlohmann::json::array();
    int created = 0, reused = 0;
    for (const auto& s : t.services) {
      (s.reused ? reused : created)++;
      services.push_back({{"service", s.name},
                          {"image", s.image},
                          {"reused", s.reused},
                          {"start_seconds", seconds(s.start_duration)},
                          {"ready_seconds", seconds(s.ready_duration)}});
    }
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : t.steps) {
      steps.push_back({{"step", s.name},
                       {"scenario", s.scenario},
                       {"status", to_string(s.status)},
                       {"exit_code", s.exec.exit_code},
                       {"wall_seconds", seconds(s.duration)},
                       {"cpu_user_seconds", seconds(s.exec.usage.user_cpu)},
                       {"cpu_system_seconds", seconds(s.exec.usage.system_cpu)},
                       {"max_rss_bytes", s.exec.usage.max_rss_kb * 1024}});
    }
    tests.push_back({{"test", t.name},
                     {"file", t.file},
                     {"status", to_string(t.status)},
                     {"wall_seconds", seconds(t.duration)},
                     {"attempts", t.attempts},
                     {"retries", t.attempts > 1 ? t.attempts - 1 : 0},
                     {"services_started", created},
                     {"containers_created", created},
                     {"containers_reused", reused},
                     {"services", std::move(services)},
                     {"steps", std::move(steps)}});
  }
  return {{"counters", std::move(counters)},
          {"run",
           {{"session", run.session_id},
            {"backend", run.backend},
            {"jobs", run.jobs},
            {"wall_seconds", seconds(run.duration)}}},
          {"tests", std::move(tests)}};
}

}  // namespace clnrm
