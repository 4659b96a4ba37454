// Every key of a *.clnrm.toml file, table by table (docs/test-file-reference.md
// documents each; tests/unit/docs_consistency_test.cpp keeps the two in step).
#include "spec/key_tables.h"

#include <clnrm/key_tables.h>

namespace clnrm {
namespace spec_detail {

const KeyList kTopLevelKeys = {"test",   "meta",        "services",   "service",
                               "steps",  "scenario",    "assertions", "policy",
                               "limits", "determinism", "report",     "vars"};
// Sections upstream clnrm knows that clnrm does not implement (yet).
const KeyList kUpstreamTopLevelKeys = {
    "otel",    "otel_validation", "expect", "matrix",   "otel_headers", "otel_propagators",
    "weaver",  "performance",     "chaos",  "template", "timeouts",     "output",
    "metadata"};

const KeyList kTestKeys = {"metadata", "name",   "description",    "timeout", "tags",
                           "version",  "author", "mount_test_dir", "image"};
const KeyList kUpstreamTestKeys = {"performance"};
const KeyList kMetadataKeys = {"name",   "description",    "timeout", "tags", "version",
                               "author", "mount_test_dir", "image"};

const KeyList kServiceKeys = {"plugin", "type",       "image",   "args",         "command",
                              "env",    "ports",      "volumes", "health_check", "wait_for",
                              "reuse",  "depends_on", "rootfs",  "workdir"};
const KeyList kUpstreamServiceKeys = {
    "username",       "password", "strict",    "wait_for_span", "wait_for_span_timeout_secs",
    "model",          "runtime",  "network",   "network_mode",  "entrypoint",
    "wait_for_ready", "extends",  "readiness", "resources",     "description"};
const KeyList kWaitForKeys = {"port",   "log",     "exec",     "http",
                              "status", "timeout", "interval", "occurrences"};
const KeyList kHealthCheckKeys = {"cmd", "test", "interval", "timeout", "retries"};
const KeyList kVolumeKeys = {"host_path", "container_path", "read_only"};

const KeyList kStepKeys = {"name",
                           "command",
                           "service",
                           "expected_output_regex",
                           "expected_output_regex_not",
                           "expected_stderr_regex",
                           "expected_stderr_regex_not",
                           "expected_exit_code",
                           "env",
                           "workdir",
                           "timeout",
                           "continue_on_failure",
                           "stdin",
                           "max_duration",
                           "description",
                           "expect_file",
                           "expect_json",
                           "expect_http",
                           "expected_output_file"};
const KeyList kExpectFileKeys = {"path", "exists", "mode", "content_regex", "content_regex_not"};
const KeyList kExpectJsonKeys = {"path", "equals"};
const KeyList kExpectHttpKeys = {"url",    "method",     "body",           "request_headers",
                                 "status", "headers",    "body_regex",     "body_regex_not",
                                 "json",   "timeout"};
const KeyList kUpstreamStepKeys = {"wait_for_span", "artifacts",      "expected_spans", "otel",
                                   "should_fail",   "capture_stdout", "capture_stderr"};

const KeyList kScenarioKeys = {"name",
                               "description",
                               "steps",
                               "service",
                               "run",
                               "concurrent",
                               "timeout",
                               "timeout_ms",
                               "expected_output_regex",
                               "expected_exit_code"};
const KeyList kUpstreamScenarioKeys = {"policy", "artifacts"};

// Upstream accepts any key in [assertions]; these are the ones clnrm checks.
const KeyList kAssertionKeys = {"execution_should_be_hermetic",
                                "container_should_have_executed_commands", "all_steps_should_pass",
                                "max_duration_ms"};

const KeyList kPolicyKeys = {"security_level", "host_network", "max_execution_time",
                             "max_memory_mb", "max_cpu_usage"};
const KeyList kUpstreamPolicyKeys = {"allowed_network_hosts", "disallowed_commands"};
const KeyList kLimitsKeys = {"memory_mb", "cpu_millicores", "pids"};
const KeyList kDeterminismKeys = {"seed", "freeze_clock"};
const KeyList kReportKeys = {"json", "junit", "digest"};

}  // namespace spec_detail

std::vector<KeyTable> test_file_key_tables() {
  using namespace spec_detail;
  auto v = [](KeyList list) { return std::vector<std::string_view>(list.begin(), list.end()); };
  return {
      {"the test file", v(kTopLevelKeys), v(kUpstreamTopLevelKeys), false},
      {"[test]", v(kTestKeys), v(kUpstreamTestKeys), false},
      {"[test.metadata]", v(kMetadataKeys), {}, false},
      {"[meta]", v(kMetadataKeys), {}, false},
      {"[services.NAME]", v(kServiceKeys), v(kUpstreamServiceKeys), false},
      {"wait_for", v(kWaitForKeys), {}, false},
      {"health_check", v(kHealthCheckKeys), {}, false},
      {"volumes", v(kVolumeKeys), {}, false},
      {"[[steps]]", v(kStepKeys), v(kUpstreamStepKeys), false},
      {"expect_file", v(kExpectFileKeys), {}, false},
      {"expect_json", v(kExpectJsonKeys), {}, false},
      {"expect_http", v(kExpectHttpKeys), {}, false},
      {"expect_http headers", {}, {}, true},
      {"expect_http request_headers", {}, {}, true},
      {"[[scenario]]", v(kScenarioKeys), v(kUpstreamScenarioKeys), false},
      {"[assertions]", v(kAssertionKeys), {}, false},
      {"[policy]", v(kPolicyKeys), v(kUpstreamPolicyKeys), false},
      {"[limits]", v(kLimitsKeys), {}, false},
      {"[determinism]", v(kDeterminismKeys), {}, false},
      {"[report]", v(kReportKeys), {}, false},
      {"[vars]", {}, {}, true},
      {"env", {}, {}, true},
  };
}

}  // namespace clnrm
