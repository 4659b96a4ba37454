// libcurl transport: one easy handle (hence one connection) per request,
// over a unix socket (CURLOPT_UNIX_SOCKET_PATH) or plain TCP.
#include "backend/docker/http_transport.h"

#include <clnrm/error.h>
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace clnrm::docker {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Transfer {
  HttpResponse* response;
  const BodySink* sink;
  const CancelToken* cancel;
  bool sink_stopped = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->sink && t->response->status >= 200 && t->response->status < 300) {
    if (!(*t->sink)(std::string_view(data, n))) {
      t->sink_stopped = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
  } else {
    // Error bodies always land in `body` so the engine's message can be shown.
    t->response->body.append(data, n);
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (e.g. after 100-continue): forget earlier headers.
    t->response->headers.clear();
    long status = 0;
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) status = std::strtol(std::string(line.substr(sp + 1, 3)).c_str(), nullptr, 10);
    t->response->status = status;
    return n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t->response->headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return (t->cancel && t->cancel->cancelled()) ? 1 : 0;
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(Endpoint endpoint) : endpoint_(std::move(endpoint)) {
    static CurlGlobal global;
    (void)global;
  }

  const Endpoint& endpoint() const override { return endpoint_; }

  HttpResponse send(const HttpRequest& request, const BodySink* sink, const CancelToken* cancel) override {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) throw Error(ErrorKind::Internal, "curl_easy_init failed");
    HttpResponse response;
    Transfer transfer{&response, sink, cancel};
    const std::string url = endpoint_.base_url + request.path;
    CURL* h = curl.get();
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    if (!endpoint_.unix_socket.empty()) curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, endpoint_.unix_socket.c_str());
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
    if (request.timeout.count() > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    if (cancel) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    }
    struct curl_slist* headers = nullptr;
    // No "Expect: 100-continue" round trip for archive uploads.
    headers = curl_slist_append(headers, "Expect:");
    if (!request.content_type.empty())
      headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }

    const CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) return response;
    if (rc == CURLE_OPERATION_TIMEDOUT && response.status != 0) {
      response.outcome = HttpResponse::Outcome::TimedOut;
      return response;
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
      response.outcome = HttpResponse::Outcome::Cancelled;
      return response;
    }
    if (rc == CURLE_WRITE_ERROR && transfer.sink_stopped) {
      response.outcome = HttpResponse::Outcome::SinkStopped;
      return response;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT)
      throw Error(ErrorKind::Timeout,
                  fmt::format("Docker engine did not answer {} {} within {} ms", request.method, request.path,
                              request.timeout.count()),
                  endpoint_.describe());
    throw Error(ErrorKind::Io,
                fmt::format("cannot talk to the Docker engine ({} {}): {}", request.method, request.path,
                            error_buffer[0] ? error_buffer : curl_easy_strerror(rc)),
                endpoint_.describe());
  }

 private:
  Endpoint endpoint_;
};

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string Endpoint::describe() const {
  if (!unix_socket.empty()) return "unix://" + unix_socket;
  std::string s = base_url;
  if (s.starts_with("http://")) s = "tcp://" + s.substr(7);
  return s;
}

std::unique_ptr<Transport> make_curl_transport(Endpoint endpoint) {
  return std::make_unique<CurlTransport>(std::move(endpoint));
}

}  // namespace clnrm::docker
