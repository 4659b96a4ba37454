// Every key of a *.clnrm.toml file, table by table, with its kind of value and
// what it does (docs/test-file-reference.md documents each;
// tests/unit/docs_consistency_test.cpp keeps the two in step, and
// tests/unit/json_schema_test.cpp the schema written from these entries).
#include "spec/key_tables.h"

#include <clnrm/key_tables.h>

#include <algorithm>

namespace clnrm {
namespace spec_detail {

using K = ValueKind;

bool has_key(KeyList list, std::string_view name) {
  return std::any_of(list.begin(), list.end(), [&](const KeyDef& k) { return k.name == name; });
}

std::vector<std::string_view> key_names(KeyList list) {
  std::vector<std::string_view> names;
  names.reserve(list.size());
  for (const KeyDef& k : list) names.push_back(k.name);
  return names;
}

namespace {

// ---- leaves first: a table is defined before the keys that nest it ----------

const KeyDef kWaitForDefs[] = {
    {"port", K::Integer, "Ready when a TCP connect to 127.0.0.1:port succeeds (1..65535)"},
    {"log", K::Regex, "Ready when the service's output matches this RE2 regex"},
    {"exec", K::Command, "Ready when this command exits 0 (array, or a string run with sh -c)"},
    {"http", K::IntegerOrString,
     "Ready when this loopback http:// URL (or http://127.0.0.1:PORT/ for an integer) answers"},
    {"status", K::Integer, "http only: the status to wait for (default 200)"},
    {"timeout", K::Duration, "Give up after this long (default \"30s\"; an integer counts seconds)"},
    {"interval", K::Duration,
     "First poll interval, doubling up to 1s (default \"50ms\"; an integer counts milliseconds)"},
    {"occurrences", K::Integer, "log only: wait for the n-th match (default 1)"},
};
const TableDef kWaitForTable{"wait_for", "Readiness of a service: exactly one of port, log, exec, http",
                             kWaitForDefs};

const KeyDef kHealthCheckDefs[] = {
    {"cmd", K::Command, "The command that exits 0 when the service is healthy"},
    {"test", K::Command, "Docker's spelling of cmd"},
    {"interval", K::Duration, "Time between checks (default \"1s\"; an integer counts seconds)"},
    {"timeout", K::Duration, "Time one check may take (default \"5s\"; an integer counts seconds)"},
    {"retries", K::Integer, "Failed checks before the service is unhealthy (0..1000, default 3)"},
};
const TableDef kHealthCheckTable{"health_check", "A health check command of a service",
                                 kHealthCheckDefs};

const KeyDef kVolumeDefs[] = {
    {"host_path", K::String, "A path relative to the test file's directory and inside it"},
    {"container_path", K::String, "The absolute path where the whole cleanroom sees it"},
    {"read_only", K::Boolean, "false: writable, writes reach the host (default true)"},
};
const TableDef kVolumeTable{"volume", "A directory of the test's directory mounted in the cleanroom",
                            kVolumeDefs};

const KeyDef kServiceDefs[] = {
    {"plugin", K::String, "The service plugin: process or generic_container (`clnrm plugins`)"},
    {"type", K::String, "Alias of plugin"},
    {"image", K::String, "The image of a generic_container service"},
    {"args", K::StringList, "The argv of the service (process) or the container command"},
    {"command", K::Command, "Alternative to args; a string runs as [\"sh\", \"-c\", s]"},
    {"env", K::Scalars, "Environment variables of the service"},
    {"ports", K::IntegerList, "TCP ports the service listens on (ready when all accept)"},
    {"volumes", K::StringsOrTables,
     "Volumes: { host_path, container_path, read_only } or \"host:/container[:ro|rw]\"",
     &kVolumeTable},
    {"health_check", K::Table, "A health check command", &kHealthCheckTable},
    {"wait_for", K::Table, "Readiness: one of port, log, exec, http", &kWaitForTable},
    {"reuse", K::Boolean, "docker: keep the service warm and share it between tests"},
    {"depends_on", K::StringList, "Services started before this one"},
    {"rootfs", K::String, "sandbox: a directory of the test's directory used as /"},
    {"workdir", K::String, "The service's working directory"},
};
const TableDef kServiceTable{"service", "A service running beside the steps in the cleanroom",
                             kServiceDefs,
                             {"username", "password", "strict", "wait_for_span",
                              "wait_for_span_timeout_secs", "model", "runtime", "network",
                              "network_mode", "entrypoint", "wait_for_ready", "extends",
                              "readiness", "resources", "description"}};

const KeyDef kExpectFileDefs[] = {
    {"path", K::String, "Absolute path inside the cleanroom (required)"},
    {"exists", K::Boolean, "false: the file must be absent (default true)"},
    {"mode", K::String, "Octal permission bits, e.g. \"0644\""},
    {"content_regex", K::Regex, "The file's content must match"},
    {"content_regex_not", K::Regex, "The file's content must not match"},
};
const TableDef kExpectFileTable{"expect_file", "A file in the step's filesystem after it ran",
                                kExpectFileDefs};

const KeyDef kExpectJsonDefs[] = {
    {"path", K::String, "A JSON pointer (RFC 6901), e.g. \"/status\"; \"\" is the whole document"},
    {"equals", K::Any, "The expected value, compared as JSON"},
};
const TableDef kExpectJsonTable{"expect_json", "A value in JSON output (path, equals)",
                                kExpectJsonDefs};

const KeyDef kExpectHttpDefs[] = {
    {"url", K::String, "http://127.0.0.1:PORT/path or http://localhost:PORT/path (required)"},
    {"method", K::String, "Upper-case HTTP method (default \"GET\")"},
    {"body", K::String, "Request body"},
    {"request_headers", K::Scalars, "Request headers, { Authorization = \"Bearer t\" }"},
    {"status", K::Integer, "Expected status, 100..599 (default 200)"},
    {"headers", K::Regexes, "Response headers whose values must match these regexes"},
    {"body_regex", K::Regex, "The response body must match"},
    {"body_regex_not", K::Regex, "The response body must not match"},
    {"json", K::TableOrTables, "expect_json checks on the response body", &kExpectJsonTable},
    {"timeout", K::Duration, "The whole request (default \"10s\"; an integer counts seconds)"},
};
const TableDef kExpectHttpTable{"expect_http", "An HTTP request inside the cleanroom after the step",
                                kExpectHttpDefs};

const KeyDef kStepDefs[] = {
    {"name", K::String, "The step's name, unique in its list (required)"},
    {"command", K::Command, "The command (required): [\"argv\", ...] or a string run with sh -c"},
    {"service", K::String, "Run inside this service instead of a fresh step sandbox"},
    {"expected_output_regex", K::Regex, "stdout must match (RE2, unanchored)"},
    {"expected_output_regex_not", K::Regex, "stdout must not match"},
    {"expected_stderr_regex", K::Regex, "stderr must match"},
    {"expected_stderr_regex_not", K::Regex, "stderr must not match"},
    {"expected_exit_code", K::Integer, "The exit code the step must end with, 0..255 (default 0)"},
    {"env", K::Scalars, "Environment variables of the step"},
    {"workdir", K::String, "The step's working directory"},
    {"timeout", K::Duration, "Step timeout, > 0 (an integer counts seconds)"},
    {"continue_on_failure", K::Boolean, "Later steps still run when this one fails"},
    {"stdin", K::String, "Written to the command's standard input"},
    {"max_duration", K::Duration,
     "Performance budget, the median over --repeat (an integer counts milliseconds)"},
    {"description", K::String, "Accepted, not used"},
    {"expect_file", K::TableOrTables, "Files in the step's filesystem after it ran",
     &kExpectFileTable},
    {"expect_json", K::TableOrTables, "Values in the step's stdout read as JSON",
     &kExpectJsonTable},
    {"expect_http", K::TableOrTables, "HTTP requests inside the cleanroom after the step",
     &kExpectHttpTable},
    {"expected_output_file", K::String,
     "stdout must equal this golden file, relative to the test file's directory"},
};
const TableDef kStepTable{"step", "A step: a command and what it must produce", kStepDefs,
                          {"wait_for_span", "artifacts", "expected_spans", "otel", "should_fail",
                           "capture_stdout", "capture_stderr"}};

const KeyDef kScenarioDefs[] = {
    {"name", K::String, "The scenario's name, unique (required)"},
    {"description", K::String, "Accepted, not used"},
    {"steps", K::Tables, "The scenario's steps, each as in [[steps]]", &kStepTable},
    {"service", K::String, "The default service of the scenario's steps"},
    {"run", K::Command, "Upstream v1.0 form: one step named after the scenario, on service"},
    {"concurrent", K::Boolean, "The scenario's steps run in parallel"},
    {"timeout", K::Duration, "Scenario timeout (an integer counts seconds)"},
    {"timeout_ms", K::Duration, "Upstream spelling of timeout (an integer counts milliseconds)"},
    {"expected_output_regex", K::Regex, "With run only: stdout of that step must match"},
    {"expected_exit_code", K::Integer, "With run only: the exit code of that step, 0..255"},
};
const TableDef kScenarioTable{"scenario", "A scenario: a group of steps, maybe concurrent",
                              kScenarioDefs, {"policy", "artifacts"}};

// [test], [test.metadata] and [meta] take the same keys ([test] also the sub-table).
constexpr KeyDef kMetadataName{"name", K::String, "The test's name (required, non-empty)"};
constexpr KeyDef kMetadataDescription{"description", K::String, "What the test checks"};
constexpr KeyDef kMetadataTimeout{"timeout", K::Duration,
                                  "Whole-test timeout (an integer counts seconds)"};
constexpr KeyDef kMetadataTags{"tags", K::StringList,
                               "Tags that clnrm run --tag / --skip-tag select by"};
constexpr KeyDef kMetadataVersion{"version", K::String, "Accepted, not used"};
constexpr KeyDef kMetadataAuthor{"author", K::String, "Accepted, not used"};
constexpr KeyDef kMetadataMountTestDir{
    "mount_test_dir", K::Boolean,
    "true: the test file's directory, read-only, at /clnrm/test in the whole cleanroom"};
constexpr KeyDef kMetadataImage{"image", K::String,
                                "The test's default image: steps without service run in it"};

const KeyDef kMetadataDefs[] = {kMetadataName,    kMetadataDescription,  kMetadataTimeout,
                                kMetadataTags,    kMetadataVersion,      kMetadataAuthor,
                                kMetadataMountTestDir, kMetadataImage};
const TableDef kMetadataTable{"metadata", "The test's metadata ([test.metadata] or [meta])",
                              kMetadataDefs};

const KeyDef kTestDefs[] = {
    {"metadata", K::Table, "[test.metadata]: the keys of [test] in a sub-table", &kMetadataTable},
    kMetadataName,    kMetadataDescription,  kMetadataTimeout, kMetadataTags,
    kMetadataVersion, kMetadataAuthor,       kMetadataMountTestDir, kMetadataImage,
};
const TableDef kTestTable{"test", "The test's metadata", kTestDefs, {"performance"}};

const KeyDef kAssertionDefs[] = {
    {"execution_should_be_hermetic", K::Boolean, "The test ran in its own cleanroom"},
    {"container_should_have_executed_commands", K::IntegerOrBoolean,
     "At least n steps ran (true: at least one)"},
    {"all_steps_should_pass", K::Boolean, "Every step passed"},
    {"max_duration_ms", K::Integer, "The whole test took at most this many milliseconds"},
};
// Upstream accepts any key in [assertions]; these are the ones clnrm checks.
const TableDef kAssertionTable{"assertions",
                               "Checks on the whole test (other upstream assertions: a warning)",
                               kAssertionDefs, {}, true};

const KeyDef kPolicyDefs[] = {
    {"security_level", K::String, "low, medium (default) or high"},
    {"host_network", K::Boolean, "Share the host's network (only with security_level = \"low\")"},
    {"max_execution_time", K::Duration,
     "Upstream: the test timeout unless one is set (an integer counts seconds)"},
    {"max_memory_mb", K::Integer, "Upstream: [limits] memory_mb unless set"},
    {"max_cpu_usage", K::Number, "Upstream: a fraction in (0, 1], [limits] cpu_millicores x1000"},
};
const TableDef kPolicyTable{"policy", "The security level of the cleanroom", kPolicyDefs,
                            {"allowed_network_hosts", "disallowed_commands"}};

const KeyDef kLimitsDefs[] = {
    {"memory_mb", K::Integer, "Memory limit of the cleanroom in MiB (>= 1)"},
    {"cpu_millicores", K::Integer, "CPU limit, 1000 = one CPU (>= 1)"},
    {"pids", K::Integer, "Process limit (>= 1)"},
};
const TableDef kLimitsTable{"limits", "Resource limits of the cleanroom", kLimitsDefs};

const KeyDef kDeterminismDefs[] = {
    {"seed", K::Integer, "Seeds ordering and the random sources the runner controls (>= 0)"},
    {"freeze_clock", K::Timestamp,
     "The time the test's processes see, RFC 3339, e.g. \"2025-01-01T00:00:00Z\""},
};
const TableDef kDeterminismTable{"determinism", "Seeded randomness and a frozen clock",
                                 kDeterminismDefs};

const KeyDef kReportDefs[] = {
    {"json", K::String, "Path of a JSON report for this test, under --output-dir"},
    {"junit", K::String, "Path of a JUnit XML report, under --output-dir"},
    {"digest", K::String, "Path of a SHA-256 digest of the results, under --output-dir"},
};
const TableDef kReportTable{"report", "Per-test report files", kReportDefs};

const KeyDef kTopLevelDefs[] = {
    {"test", K::Table, "The test's metadata ([test] or [test.metadata])", &kTestTable},
    {"meta", K::Table, "The test's metadata (upstream v0.6 spelling)", &kMetadataTable},
    {"services", K::NamedTables, "Services by name: [services.NAME]", &kServiceTable},
    {"service", K::NamedTables, "Services by name: [service.NAME]", &kServiceTable},
    {"steps", K::Tables, "The steps, in order: [[steps]]", &kStepTable},
    {"scenario", K::Tables, "Scenarios: [[scenario]]", &kScenarioTable},
    {"assertions", K::Table, "Checks on the whole test", &kAssertionTable},
    {"policy", K::Table, "The security level", &kPolicyTable},
    {"limits", K::Table, "Resource limits", &kLimitsTable},
    {"determinism", K::Table, "Seeded randomness and a frozen clock", &kDeterminismTable},
    {"report", K::Table, "Per-test report files", &kReportTable},
    {"vars", K::OpenTable, "Template variables for {{ vars.NAME }}"},
};

}  // namespace

const TableDef kTestFileTable{
    "clnrm test file", "A clnrm test (*.clnrm.toml)", kTopLevelDefs,
    {"otel", "otel_validation", "expect", "matrix", "otel_headers", "otel_propagators", "weaver",
     "performance", "chaos", "template", "timeouts", "output", "metadata"}};

const KeyList kTopLevelKeys = kTopLevelDefs;
const NameList kUpstreamTopLevelKeys = kTestFileTable.upstream_only;
const KeyList kTestKeys = kTestDefs;
const NameList kUpstreamTestKeys = kTestTable.upstream_only;
const KeyList kMetadataKeys = kMetadataDefs;
const KeyList kServiceKeys = kServiceDefs;
const NameList kUpstreamServiceKeys = kServiceTable.upstream_only;
const KeyList kWaitForKeys = kWaitForDefs;
const KeyList kHealthCheckKeys = kHealthCheckDefs;
const KeyList kVolumeKeys = kVolumeDefs;
const KeyList kStepKeys = kStepDefs;
const NameList kUpstreamStepKeys = kStepTable.upstream_only;
const KeyList kExpectFileKeys = kExpectFileDefs;
const KeyList kExpectJsonKeys = kExpectJsonDefs;
const KeyList kExpectHttpKeys = kExpectHttpDefs;
const KeyList kScenarioKeys = kScenarioDefs;
const NameList kUpstreamScenarioKeys = kScenarioTable.upstream_only;
const KeyList kAssertionKeys = kAssertionDefs;
const KeyList kPolicyKeys = kPolicyDefs;
const NameList kUpstreamPolicyKeys = kPolicyTable.upstream_only;
const KeyList kLimitsKeys = kLimitsDefs;
const KeyList kDeterminismKeys = kDeterminismDefs;
const KeyList kReportKeys = kReportDefs;

}  // namespace spec_detail

std::vector<KeyTable> test_file_key_tables() {
  using namespace spec_detail;
  auto v = [](KeyList list) { return key_names(list); };
  auto u = [](NameList list) { return std::vector<std::string_view>(list.begin(), list.end()); };
  return {
      {"the test file", v(kTopLevelKeys), u(kUpstreamTopLevelKeys), false},
      {"[test]", v(kTestKeys), u(kUpstreamTestKeys), false},
      {"[test.metadata]", v(kMetadataKeys), {}, false},
      {"[meta]", v(kMetadataKeys), {}, false},
      {"[services.NAME]", v(kServiceKeys), u(kUpstreamServiceKeys), false},
      {"wait_for", v(kWaitForKeys), {}, false},
      {"health_check", v(kHealthCheckKeys), {}, false},
      {"volumes", v(kVolumeKeys), {}, false},
      {"[[steps]]", v(kStepKeys), u(kUpstreamStepKeys), false},
      {"expect_file", v(kExpectFileKeys), {}, false},
      {"expect_json", v(kExpectJsonKeys), {}, false},
      {"expect_http", v(kExpectHttpKeys), {}, false},
      {"expect_http headers", {}, {}, true},
      {"expect_http request_headers", {}, {}, true},
      {"[[scenario]]", v(kScenarioKeys), u(kUpstreamScenarioKeys), false},
      {"[assertions]", v(kAssertionKeys), {}, false},
      {"[policy]", v(kPolicyKeys), u(kUpstreamPolicyKeys), false},
      {"[limits]", v(kLimitsKeys), {}, false},
      {"[determinism]", v(kDeterminismKeys), {}, false},
      {"[report]", v(kReportKeys), {}, false},
      {"[vars]", {}, {}, true},
      {"env", {}, {}, true},
  };
}

}  // namespace clnrm
