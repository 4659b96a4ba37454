// libcurl behind src/base/http_client.h: one easy handle (hence one
// connection) per request. A fresh connection per request: Podman closes idle
// connections, and it keeps concurrent tests independent. libcurl is loaded
// on the first request or URL (src/base/curl_library.h), not at start-up.
#include "base/http_client.h"

#include <clnrm/http_status.h>

#include "base/curl_library.h"
#include "base/trim.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace clnrm::http {

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
        u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct Transfer {
  Response* response;
  const BodySink* sink;
  const CancelToken* cancel;
  std::size_t max_body;
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
    // Error bodies always land in `body` so the server's message can be shown.
    std::string& body = t->response->body;
    const size_t room = t->max_body == 0 ? n : (body.size() < t->max_body ? t->max_body - body.size() : 0);
    body.append(data, std::min(n, room));
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
    // 0: no valid status (Response::status), which every caller treats as a failure.
    const Parsed<int> status = parse_http_status(line);
    t->response->status = status ? *status : 0;
    return n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t->response->headers[lower(trim_space(line.substr(0, colon)))] = std::string(trim_space(line.substr(colon + 1)));
  return n;
}

// Request::open_socket: the socket handed to libcurl, already connected.
curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr*) {
  const auto* open = static_cast<const std::function<int()>*>(user);
  const int fd = (*open)();
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

int on_socket_options(void*, curl_socket_t, curlsocktype) { return CURL_SOCKOPT_ALREADY_CONNECTED; }

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return (t->cancel && t->cancel->cancelled()) ? 1 : 0;
}

struct UrlDeleter {
  const CurlLibrary* curl;
  void operator()(CURLU* u) const noexcept { curl->url_cleanup(u); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

// The parsed URL, or null with `code` (when given) saying why.
Url curl_parse(const std::string& text, CURLUcode* code = nullptr) {
  const CurlLibrary& curl = curl_library();
  Url url(curl.url(), UrlDeleter{&curl});
  if (!url) throw Error(ErrorKind::Internal, "out of memory parsing a URL");
  const CURLUcode rc = curl.url_set(url.get(), CURLUPART_URL, text.c_str(), 0);
  if (code) *code = rc;
  if (rc != CURLUE_OK) return Url(nullptr, UrlDeleter{&curl});
  return url;
}

std::string part(const Url& url, CURLUPart which) {
  const CurlLibrary& curl = *url.get_deleter().curl;
  char* value = nullptr;
  if (curl.url_get(url.get(), which, &value, 0) != CURLUE_OK || !value) return {};
  std::string out(value);
  curl.free(value);
  return out;
}

}  // namespace

std::string Response::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Response send(const Request& request, const BodySink* sink, const CancelToken* cancel) {
  const CurlLibrary& curl = curl_library();
  std::unique_ptr<CURL, decltype(curl.easy_cleanup)> handle(curl.easy_init(), curl.easy_cleanup);
  if (!handle) throw Error(ErrorKind::Internal, "curl_easy_init failed");
  Response response;
  Transfer transfer{&response, sink, cancel, request.max_body};
  CURL* h = handle.get();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl.set(h, CURLOPT_URL, request.url.c_str());
  if (!request.unix_socket.empty()) curl.set(h, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  if (request.open_socket) {
    curl.set(h, CURLOPT_OPENSOCKETFUNCTION, &on_open_socket);
    curl.set(h, CURLOPT_OPENSOCKETDATA, const_cast<void*>(static_cast<const void*>(&request.open_socket)));
    curl.set(h, CURLOPT_SOCKOPTFUNCTION, &on_socket_options);
    curl.set(h, CURLOPT_PROXY, "");  // never an http_proxy from the environment
  }
  curl.set(h, CURLOPT_FORBID_REUSE, 1L);
  curl.set(h, CURLOPT_FRESH_CONNECT, 1L);
  curl.set(h, CURLOPT_NOSIGNAL, 1L);
  // Endpoints are configuration: a redirect is an answer, not a new target.
  curl.set(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl.set(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl.set(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl.set(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl.set(h, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  curl.set(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl.set(h, CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  curl.set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  if (request.timeout.count() > 0) curl.set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (cancel) {
    curl.set(h, CURLOPT_NOPROGRESS, 0L);
    curl.set(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl.set(h, CURLOPT_XFERINFODATA, static_cast<void*>(&transfer));
  }
  // No "Expect: 100-continue" round trip for big bodies (archives, traces).
  std::unique_ptr<curl_slist, decltype(curl.slist_free_all)> headers(curl.slist_append(nullptr, "Expect:"),
                                                                     curl.slist_free_all);
  for (const auto& line : request.headers) headers.reset(curl.slist_append(headers.release(), line.c_str()));
  curl.set(h, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
    // Never a null pointer: that would make curl read the body from stdin.
    curl.set(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl.set_large(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode rc = curl.easy_perform(h);
  if (rc == CURLE_OK) return response;
  response.error = error_buffer[0] ? error_buffer : curl.easy_strerror(rc);
  if (rc == CURLE_OPERATION_TIMEDOUT && response.status != 0) {
    response.outcome = Response::Outcome::TimedOut;
    return response;
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    response.outcome = Response::Outcome::Cancelled;
    return response;
  }
  if (rc == CURLE_WRITE_ERROR && transfer.sink_stopped) {
    response.outcome = Response::Outcome::SinkStopped;
    return response;
  }
  const bool timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  throw TransferError(timed_out ? ErrorKind::Timeout : ErrorKind::Io, response.error, timed_out);
}

Parsed<UrlParts> parse_url(const std::string& text) {
  CURLUcode code = CURLUE_OK;
  const Url url = curl_parse(text, &code);
  if (!url) {
    switch (code) {
      case CURLUE_UNSUPPORTED_SCHEME:
        return Parsed<UrlParts>::failure("is not a URL libcurl takes: its scheme is unknown");
      case CURLUE_BAD_PORT_NUMBER:
        return Parsed<UrlParts>::failure("is not a URL: its port is not a number from 1 to 65535");
      default:
        return Parsed<UrlParts>::failure("is not a URL (scheme://host[:port][/path])");
    }
  }
  return UrlParts{part(url, CURLUPART_SCHEME), part(url, CURLUPART_HOST), part(url, CURLUPART_PATH)};
}

std::string normalised_url(const std::string& text, const std::string& path) {
  const Url url = curl_parse(text);
  if (!url) return text;
  if (!path.empty()) url.get_deleter().curl->url_set(url.get(), CURLUPART_PATH, path.c_str(), 0);
  const std::string full = part(url, CURLUPART_URL);
  return full.empty() ? text : full;
}

}  // namespace clnrm::http
