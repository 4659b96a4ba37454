#include <clnrm/error.h>
#include <clnrm/otlp.h>
#include <clnrm/report.h>
#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>


namespace clnrm {
namespace {

void ensure_curl_initialised() {
  // curl_global_init is not thread-safe; do it once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct CurlDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
struct CurlStringDeleter {
  void operator()(char* s) const noexcept { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString url_part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK) return CurlString(nullptr);
  return CurlString(value);
}

std::unique_ptr<CURLU, UrlDeleter> parse_url(const std::string& endpoint) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) throw Error(ErrorKind::Internal, "out of memory parsing a URL");
  if (curl_url_set(url.get(), CURLUPART_URL, endpoint.c_str(), 0) != CURLUE_OK) {
    throw Error(
        ErrorKind::Usage,
        fmt::format("OTLP endpoint \"{}\" is not a URL; expected e.g. http://127.0.0.1:4318",
                    endpoint),
        "--otel-endpoint");
  }
  const CurlString scheme = url_part(url.get(), CURLUPART_SCHEME);
  if (!scheme ||
      (std::string_view(scheme.get()) != "http" && std::string_view(scheme.get()) != "https")) {
    throw Error(ErrorKind::Usage,
                fmt::format("OTLP endpoint \"{}\" must be http:// or https://", endpoint),
                "--otel-endpoint");
  }
  return url;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  // 127.0.0.0/8 as a dotted quad.
  int parts = 0, value = -1;
  if (host.substr(0, 4) != "127.") return false;
  for (char c : host) {
    if (c == '.') {
      if (value < 0 || value > 255) return false;
      ++parts;
      value = -1;
    } else if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value * 10) + (c - '0');
    } else {
      return false;
    }
  }
  return parts == 3 && value >= 0 && value <= 255;
}

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (body->size() < (64u << 10)) body->append(data, std::min(n, (64u << 10) - body->size()));
  return n;
}

}  // namespace

void write_trace_file(const std::string& path, const RunResult& run) {
  write_report_file(path, trace_json(run));
}

std::string otlp_traces_url(const std::string& endpoint) {
  auto url = parse_url(endpoint);
  const CurlString path = url_part(url.get(), CURLUPART_PATH);
  if (!path || std::string_view(path.get()).empty() || std::string_view(path.get()) == "/") {
    curl_url_set(url.get(), CURLUPART_PATH, "/v1/traces", 0);
  }
  const CurlString full = url_part(url.get(), CURLUPART_URL);
  return full ? std::string(full.get()) : endpoint;
}

void post_otlp_json(const std::string& endpoint, const std::string& body,
                    const OtlpPostOptions& options) {
  ensure_curl_initialised();
  const std::string target = otlp_traces_url(endpoint);
  if (options.loopback_only) {
    auto url = parse_url(target);
    const CurlString host = url_part(url.get(), CURLUPART_HOST);
    if (!host || !is_loopback_host(host.get())) {
      throw Error(
          ErrorKind::Usage,
          fmt::format("refusing to send traces to {}: only loopback collectors are allowed here",
                      target),
          "--otel-endpoint");
    }
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw Error(ErrorKind::Internal, "curl_easy_init failed");
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  headers.reset(curl_slist_append(headers.release(),
                                  "Expect:"));  // no 100-continue round trip for big bodies
  for (const auto& h : options.headers)
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  std::string response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  // A collector URL is configuration, not user input from the network: no redirects.
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    throw Error(ErrorKind::Io,
                fmt::format("cannot send traces to OTLP endpoint {}: {}", target,
                            error_buffer[0] ? error_buffer : curl_easy_strerror(rc)),
                "--otel-endpoint");
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    throw Error(ErrorKind::Io,
                fmt::format("OTLP endpoint {} answered HTTP {}: {}", target, status,
                            response.substr(0, 512)),
                "--otel-endpoint");
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
                  "--otel-endpoint");
    }
  }
}

void post_otlp(const std::string& endpoint, const RunResult& run, const OtlpPostOptions& options) {
  post_otlp_json(endpoint, trace_json(run), options);
}

}  // namespace clnrm
