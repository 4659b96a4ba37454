#include <clnrm/error.h>
#include <clnrm/loopback.h>
#include <clnrm/otlp.h>
#include <clnrm/report.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/http_client.h"

namespace clnrm {
namespace {

// A checked endpoint: an http:// or https:// URL.
Parsed<http::UrlParts> parse_endpoint(const std::string& endpoint) {
  const Parsed<http::UrlParts> url = http::parse_url(endpoint);
  if (!url)
    return Parsed<http::UrlParts>::failure(
        fmt::format("OTLP endpoint \"{}\" {}; expected e.g. http://127.0.0.1:4318", endpoint, url.error()));
  if (url->scheme != "http" && url->scheme != "https")
    return Parsed<http::UrlParts>::failure(
        fmt::format("OTLP endpoint \"{}\" must be http:// or https://", endpoint));
  return url;
}

}  // namespace

void write_trace_file(const std::string& path, const RunResult& run) {
  write_report_file(path, trace_json(run));
}

Parsed<std::string> otlp_traces_url(const std::string& endpoint) {
  const Parsed<http::UrlParts> url = parse_endpoint(endpoint);
  if (!url) return Parsed<std::string>::failure(url.error());
  const bool no_path = url->path.empty() || url->path == "/";
  return http::normalised_url(endpoint, no_path ? "/v1/traces" : "");
}

void post_otlp_json(const std::string& endpoint, const std::string& body,
                    const OtlpPostOptions& options) {
  const Parsed<std::string> traces_url = otlp_traces_url(endpoint);
  if (!traces_url) throw Error(ErrorKind::Usage, traces_url.error(), options.endpoint_as);
  const std::string& target = *traces_url;
  if (options.loopback_only) {
    const Parsed<http::UrlParts> url = parse_endpoint(target);
    if (!url || !is_loopback_host(url->host)) {
      throw Error(
          ErrorKind::Usage,
          fmt::format("refusing to send traces to {}: only loopback collectors are allowed here",
                      target),
          options.endpoint_as);
    }
  }
  http::Request request;
  request.method = "POST";
  request.url = target;
  request.body = body;
  request.headers.push_back("Content-Type: application/json");
  for (const auto& h : options.headers) request.headers.push_back(h);
  request.timeout = options.timeout;
  request.connect_timeout = options.connect_timeout;
  request.max_body = 64u << 10;  // a collector's answer is small; never hold more
  http::Response answer;
  std::string failure;  // libcurl's reason when no whole answer arrived
  try {
    answer = http::send(request);
    if (answer.outcome != http::Response::Outcome::Complete) failure = answer.error;
  } catch (const http::TransferError& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    throw Error(ErrorKind::Io,
                fmt::format("cannot send traces to OTLP endpoint {}: {}", target, failure),
                options.endpoint_as);
  }
  const long status = answer.status;
  const std::string& response = answer.body;
  if (status < 200 || status >= 300) {
    throw Error(ErrorKind::Io,
                fmt::format("OTLP endpoint {} answered HTTP {}: {}", target, status,
                            response.substr(0, 512)),
                options.endpoint_as);
  }
  // A 200 may still carry ExportTraceServiceResponse.partialSuccess.
  auto parsed = nlohmann::json::parse(response, nullptr, false);
  if (parsed.is_object() && parsed.contains("partialSuccess") &&
      parsed["partialSuccess"].is_object()) {
    const auto& ps = parsed["partialSuccess"];
    std::int64_t rejected = 0;
    if (ps.contains("rejectedSpans")) {
      const auto& r = ps["rejectedSpans"];
      if (r.is_number_integer())
        rejected = r.get<std::int64_t>();
      else if (r.is_string())
        rejected = std::strtoll(r.get<std::string>().c_str(), nullptr, 10);
    }
    if (rejected > 0) {
      throw Error(ErrorKind::Io,
                  fmt::format("OTLP endpoint {} rejected {} spans: {}", target, rejected,
                              ps.value("errorMessage", std::string("(no message)"))),
                  options.endpoint_as);
    }
  }
}

void post_otlp(const std::string& endpoint, const RunResult& run, const OtlpPostOptions& options) {
  post_otlp_json(endpoint, trace_json(run), options);
}

}  // namespace clnrm
