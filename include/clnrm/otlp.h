#pragma once
// OpenTelemetry traces of a run, as OTLP/JSON (an ExportTraceServiceRequest):
// written by `--trace-file FILE`, posted to an OTLP/HTTP collector by
// `--otel-endpoint URL`.
//
// Span tree (one trace per run):
//   clnrm.run
//   └─ clnrm.test <name>
//      ├─ clnrm.service.start <service>
//      │  └─ clnrm.service.ready <service>      (the readiness wait)
//      ├─ clnrm.step <name>
//      │  └─ clnrm.assertion <name>              (zero-length, at the step's end)
//      └─ clnrm.assertion <name>                 ([assertions] table, at the test's end)
// Attribute keys are listed in docs/observability.md.

#include <clnrm/parsed.h>
#include <clnrm/result.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct SpanAttribute {
  enum class Type { String, Int, Double, Bool };
  // Keys are string literals (they must outlive the span): no allocation
  // per attribute, which matters at ~15,000 spans for a 1,000-test run.
  std::string_view key;
  Type type = Type::String;
  std::string string_value;
  std::int64_t int_value = 0;
  double double_value = 0;
  bool bool_value = false;
};

// OTLP Status.code values.
enum class SpanStatusCode : int { Unset = 0, Ok = 1, Error = 2 };

struct TraceId {
  std::uint64_t high = 0, low = 0;
  std::string hex() const;  // 32 lowercase hex chars
  bool operator==(const TraceId&) const = default;
};
std::string span_id_hex(std::uint64_t span_id);  // 16 lowercase hex chars

struct Span {
  TraceId trace_id;                  // 16 random bytes
  std::uint64_t span_id = 0;         // 8 random bytes, never 0
  std::uint64_t parent_span_id = 0;  // 0 for the root span
  std::string name;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::vector<SpanAttribute> attributes;
  SpanStatusCode status = SpanStatusCode::Unset;
  std::string status_message;
};

// Random ids (splitmix64 seeded from std::random_device); never zero.
class SpanIdGenerator {
 public:
  SpanIdGenerator();
  explicit SpanIdGenerator(std::uint64_t seed);  // reproducible ids for tests
  TraceId trace_id();
  std::uint64_t span_id();

 private:
  std::uint64_t next();
  std::uint64_t state_;
};

// The spans of a run, parents before children. Times come from the
// `started`/duration fields of the results; a missing `started` (epoch) is
// placed right after its previous sibling so the tree stays well-formed.
std::vector<Span> build_spans(const RunResult& run, SpanIdGenerator& ids);

// An ExportTraceServiceRequest in OTLP/JSON: field names in lowerCamelCase,
// ids in hex, enums as integers, 64-bit integers (times, intValue) as strings.
std::string otlp_json(const std::vector<Span>& spans, const RunResult& run);

// build_spans + otlp_json with fresh random ids: the one call for a report.
std::string trace_json(const RunResult& run);

// Writes trace_json(run) to `path`, atomically. Throws Error(Io) naming the path.
void write_trace_file(const std::string& path, const RunResult& run);

struct OtlpPostOptions {
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds connect_timeout{3'000};
  // Refuse any host that is not a loopback literal (127.0.0.0/8, ::1,
  // localhost) before connecting. Off for users; the test suite turns it on.
  bool loopback_only = false;
  // Extra request headers, "Name: value" (e.g. an auth token for a hosted collector).
  std::vector<std::string> headers;
  // Where the endpoint came from, the context of every error (the CLI:
  // "--otel-endpoint"; docs/ARCHITECTURE.md, "Errors").
  std::string endpoint_as = "OTLP export";
};

// "http://host:4318" -> "http://host:4318/v1/traces"; a URL that already has
// a path is used as given (like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). The
// reason when `endpoint` is not an http:// or https:// URL.
Parsed<std::string> otlp_traces_url(const std::string& endpoint);

// POSTs `body` (OTLP/JSON) with Content-Type application/json. Throws
// Error(Io) naming the endpoint when the collector cannot be reached, answers
// non-2xx (status and body in the message) or rejects spans (partialSuccess).
void post_otlp_json(const std::string& endpoint, const std::string& body,
                    const OtlpPostOptions& options = {});
// post_otlp_json(endpoint, trace_json(run), options).
void post_otlp(const std::string& endpoint, const RunResult& run,
               const OtlpPostOptions& options = {});

}  // namespace clnrm
