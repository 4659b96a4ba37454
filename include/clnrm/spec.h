#pragma once
// TestSpec: the in-memory form of one *.clnrm.toml file. Produced by
// clnrm::parse_test_file (src/spec/), consumed by the runner. Knows nothing of
// backends; backends know nothing of TOML.

#include <clnrm/duration.h>
#include <clnrm/loopback.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace clnrm {

struct SourcePos {
  std::uint32_t line = 0;    // 1-based; 0 = unknown
  std::uint32_t column = 0;  // 1-based; 0 = unknown
};

// What a diagnostic is about, for callers that act on it (never read the
// message text for that): `clnrm run` suggests --upstream when an invalid
// file has an unknown key.
enum class DiagnosticKind {
  Other,
  UnknownKey,  // a key clnrm does not know (ParseOptions::upstream makes it a warning)
};

struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  std::string file;
  SourcePos pos;
  std::string message;
  DiagnosticKind kind = DiagnosticKind::Other;
  // "file:line:col: error: message" (or "warning:").
  std::string format() const;
};

// A regex compiled with RE2 at parse time; `source` keeps the text for messages.
// `re` is null only in a spec parsed to be checked, not run
// (ParseOptions::keep_patterns = false); search() is then false.
struct Pattern {
  std::string source;
  std::shared_ptr<const re2::RE2> re;
  // True when the pattern matches somewhere in `text` (unanchored search).
  bool search(std::string_view text) const;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;  // sorted by key

enum class SecurityLevel { Low, Medium, High };
std::string_view to_string(SecurityLevel level) noexcept;
// Accepts low | medium | high and upstream's standard (medium), maximum / locked (high).
Parsed<SecurityLevel> parse_security_level(std::string_view text);

struct WaitFor {
  enum class Kind { None, Port, Log, Exec, Http, HealthCheck };
  Kind kind = Kind::None;
  // Port (and Http when given as a port). Port with 0: every port of the
  // service's `ports` (the readiness default when neither wait_for nor
  // health_check is given).
  std::uint16_t port = 0;
  std::optional<Pattern> log;       // Log
  int log_occurrences = 1;          // Log: wait for the n-th match
  std::vector<std::string> exec;    // Exec: argv that must exit 0
  std::string http_url;             // Http: http://127.0.0.1:PORT/path
  int http_status = 200;            // Http: expected status
  Duration timeout{30'000};
  Duration interval{50};            // first poll interval; backs off x2 up to 1s
  SourcePos pos;
};

struct HealthCheckSpec {
  std::vector<std::string> cmd;
  Duration interval{1'000};
  Duration timeout{5'000};
  int retries = 3;
  SourcePos pos;
};

// A host path bound into the cleanroom. After parsing, `host_path` is
// absolute and canonical, inside the test file's directory (the parser
// refuses anything else: a test file is untrusted input), and
// `container_path` is absolute and normalised. Read-only unless the file says
// `read_only = false` (or ":rw").
struct VolumeSpec {
  std::string host_path;
  std::string container_path;
  bool read_only = true;
  SourcePos pos;
  bool operator==(const VolumeSpec& other) const {
    return host_path == other.host_path && container_path == other.container_path &&
           read_only == other.read_only;
  }
};

// Where `mount_test_dir = true` shows the test file's directory (read-only),
// on every backend; steps find it in CLNRM_TEST_DIR too.
inline constexpr std::string_view kTestDirInCleanroom = "/clnrm/test";

struct ServiceSpec {
  std::string name;
  std::string plugin;  // "process", "generic_container", ...
  std::string image;   // for image-based plugins; may be empty
  std::vector<std::string> args;  // argv (process) or command (container)
  EnvList env;
  std::vector<std::uint16_t> ports;
  std::vector<VolumeSpec> volumes;
  std::optional<HealthCheckSpec> health_check;
  WaitFor wait_for;
  bool reuse = false;
  std::vector<std::string> depends_on;  // started after these services
  std::string rootfs;   // sandbox: run inside this directory as /
  std::string workdir;
  SourcePos pos;
};

// `expect_json` (and `json` of an `expect_http`): the value at an RFC 6901
// JSON pointer ("/items/0/name"; "" is the whole document) equals
// `expected_json` (the TOML value as JSON text, compared as JSON).
struct JsonCheck {
  std::string pointer;
  std::string expected_json;
  SourcePos pos;
};

// `expect_file`: checked after the step, inside the step's filesystem (the
// service's when the step names one), by a command run there as a step is.
struct FileCheck {
  std::string path;  // absolute, normalised
  bool exists = true;                    // false: must be absent
  std::optional<std::uint32_t> mode;     // permission bits (07777), e.g. 0644
  std::optional<Pattern> content_regex;  // the file's content must match
  std::optional<Pattern> content_regex_not;
  SourcePos pos;
};

// `expect_http`: a request from inside the pod's network to its loopback
// (the parser refuses other hosts), after the step.
struct HttpCheck {
  std::string url;  // http://127.0.0.1:PORT/path (localhost or any 127.0.0.0/8 host)
  LoopbackIpv4 address;  // the URL's host, connected to inside the cleanroom
  std::uint16_t port = 80;
  std::string method = "GET";
  std::optional<std::string> body;  // request body
  std::vector<std::string> request_headers;  // "Name: value"
  int status = 200;                 // expected response status
  std::vector<std::pair<std::string, Pattern>> headers;  // response header name -> regex
  std::optional<Pattern> body_regex;
  std::optional<Pattern> body_regex_not;
  std::vector<JsonCheck> json;      // on the response body
  std::optional<Duration> timeout;  // whole request; default 10s
  SourcePos pos;
};

// `expected_output_file`: stdout equals a file beside the test
// (`clnrm run --update-golden` rewrites it).
struct GoldenFile {
  std::string dir;       // the test file's directory, canonical
  std::string relative;  // below `dir` (no '..', not absolute)
  SourcePos pos;
};

struct StepSpec {
  std::string name;
  std::vector<std::string> command;
  std::string service;  // empty: a fresh step sandbox in the test's cleanroom
  std::optional<Pattern> expected_output_regex;
  std::optional<Pattern> expected_output_regex_not;
  std::optional<Pattern> expected_stderr_regex;
  std::optional<Pattern> expected_stderr_regex_not;
  int expected_exit_code = 0;
  EnvList env;
  std::string workdir;
  std::optional<std::string> stdin_data;
  std::optional<Duration> timeout;
  std::optional<Duration> max_duration;  // performance budget (median over --repeat)
  bool continue_on_failure = false;
  std::vector<FileCheck> expect_file;
  std::vector<JsonCheck> expect_json;  // on stdout
  std::vector<HttpCheck> expect_http;
  std::optional<GoldenFile> expected_output_file;
  SourcePos pos;
};

struct ScenarioSpec {
  std::string name;
  std::vector<StepSpec> steps;
  bool concurrent = false;  // steps of this scenario run in parallel
  std::optional<Duration> timeout;
  SourcePos pos;
};

// Upstream's [assertions] table. Each key is optional: only set keys are checked.
struct AssertionsSpec {
  std::optional<bool> execution_should_be_hermetic;
  std::optional<int> container_should_have_executed_commands;  // at least n steps ran
  std::optional<bool> all_steps_should_pass;
  std::optional<int> max_duration_ms;  // whole test
  SourcePos pos;
};

struct LimitsSpec {
  std::optional<std::uint64_t> memory_mb;
  std::optional<std::uint32_t> cpu_millicores;
  std::optional<std::uint32_t> pids;
  SourcePos pos;
};

struct PolicySpec {
  SecurityLevel level = SecurityLevel::Medium;
  // Where the file wrote `security_level`; nullopt when it did not, and
  // cleanroom.toml's [defaults] security_level then applies.
  std::optional<SourcePos> level_pos;
  bool host_network = false;  // only honoured at Low
  SourcePos pos;
};

struct DeterminismSpec {
  std::optional<std::uint64_t> seed;
  std::optional<std::string> freeze_clock;  // RFC 3339, e.g. "2025-01-01T00:00:00Z"
  SourcePos pos;
};

struct ReportSpec {
  std::optional<std::string> json;
  std::optional<std::string> junit;
  std::optional<std::string> digest;
};

struct TestSpec {
  std::string file;  // path as given
  std::string name;
  std::string description;
  std::optional<Duration> timeout;  // whole test
  // `mount_test_dir = true`: the directory of `file` (canonical), bound
  // read-only at kTestDirInCleanroom.
  std::optional<VolumeSpec> test_dir_volume;
  std::vector<std::string> tags;
  // `image` of [test] / [meta]: the test's default image. Steps without
  // `service` run in its filesystem (the sandbox: an overlayfs root of it,
  // no process started for it; docker: the pod's step container). Empty:
  // steps run as they do without images.
  std::string image;
  SourcePos image_pos;
  std::vector<ServiceSpec> services;  // declaration order
  std::vector<StepSpec> steps;
  std::vector<ScenarioSpec> scenarios;
  AssertionsSpec assertions;
  PolicySpec policy;
  LimitsSpec limits;
  DeterminismSpec determinism;
  ReportSpec report;
  std::map<std::string, std::string> vars;
  std::vector<Diagnostic> warnings;  // non-fatal findings (unimplemented upstream keys)

  const ServiceSpec* find_service(std::string_view service_name) const;
  // True when the test or any service names an image (used by --backend auto).
  bool uses_images() const;
  // Every host path the test's cleanroom sees: the volumes of all services
  // (one pod: they share one mount namespace) and, with mount_test_dir, the
  // test file's directory. Without duplicates, in declaration order.
  std::vector<VolumeSpec> cleanroom_volumes() const;
};

}  // namespace clnrm
