#pragma once
// Metrics out of a run: the session counters (Metrics, atomics) plus the
// per-test / per-step figures in RunResult, as Prometheus text exposition
// format 0.0.4 (`--metrics-file`) and as JSON (the JSON report's "metrics").
//
// Series (all names clnrm_*, base units seconds and bytes):
//   counters   clnrm_tests_{started,passed,failed}_total, clnrm_steps_total,
//              clnrm_steps_failed_total, clnrm_services_started_total,
//              clnrm_containers_{created,reused}_total, clnrm_retries_total,
//              clnrm_step_wall_seconds_total, clnrm_step_cpu_{user,system}_seconds_total
//   histograms clnrm_test_duration_seconds, clnrm_step_duration_seconds,
//              clnrm_service_ready_duration_seconds
//   gauges     per test {test,file}: clnrm_test_wall_seconds, clnrm_test_passed,
//              clnrm_test_retries, clnrm_test_services_started,
//              clnrm_test_containers_created, clnrm_test_containers_reused
//              per step {test,file,step,index}: clnrm_step_wall_seconds,
//              clnrm_step_cpu_user_seconds, clnrm_step_cpu_system_seconds,
//              clnrm_step_max_rss_bytes, clnrm_step_exit_code
//              per service {test,file,service}: clnrm_service_start_seconds,
//              clnrm_service_ready_seconds
//              run: clnrm_run_wall_seconds, clnrm_run_jobs

#include <clnrm/metrics.h>
#include <clnrm/result.h>

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace clnrm {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The whole exposition (ends with a newline).
std::string render_prometheus(const MetricsSnapshot& counters, const RunResult& run);
// render_prometheus(...) into `path`, atomically. Throws Error(Io) naming the path.
void write_metrics_file(const std::string& path, const MetricsSnapshot& counters,
                        const RunResult& run);
// {"counters":{...},"run":{...},"tests":[{..., "services":[...], "steps":[...]}]}
nlohmann::json metrics_to_json(const MetricsSnapshot& counters, const RunResult& run);

// Prometheus text escaping (exposed for tests): label values escape \ " and
// newline; HELP text escapes \ and newline.
std::string escape_label_value(std::string_view value);
std::string escape_help_text(std::string_view text);

}  // namespace clnrm
