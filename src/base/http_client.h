#pragma once
// The one HTTP client of clnrm (libcurl). Used by the Docker Engine API
// transport (src/backend/docker/http_transport.cpp, which the engine health
// check also uses) and by OTLP trace export (src/report/otlp_sender.cpp).
// One request per call on one fresh connection, over a unix socket or TCP,
// with a connect timeout, a total timeout and cooperative cancellation.
// Callers turn a TransferError into their own message (which engine, which
// collector); this layer knows nothing about who it talks to.

#include <clnrm/parsed.h>
#include <clnrm/cancel.h>
#include <clnrm/error.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::http {

// `text` for a URL query value: RFC 3986 unreserved characters kept, every
// other byte as %XX ("repository:a/b:pull" -> "repository%3Aa%2Fb%3Apull").
std::string percent_encode(std::string_view text);


struct Request {
  std::string method = "GET";
  std::string url;          // absolute, e.g. "http://localhost/v1.41/_ping"
  std::string unix_socket;  // non-empty: connect to this socket instead of the URL's host
  std::string_view body;    // sent for POST and PUT, and for any method when non-empty; not
                            // copied (archives can be large): must stay alive during send()
  std::vector<std::string> headers;  // "Name: value" lines
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{0};  // whole transfer; 0: no limit
  std::size_t max_body = 0;  // keep at most this many body bytes (the rest is read and dropped); 0: all
  // Set: libcurl does not connect (nor use a proxy) but talks over the socket
  // this returns, already connected (e.g. made inside a pod's network
  // namespace: src/assert/http_check.cpp); a negative value fails the request
  // as "could not connect". libcurl closes it. The socket must have been
  // connected non-blocking (src/backend/netns_connect.cpp does): Debian 12's
  // libcurl 7.88 calls connect() on it anyway, which the kernel answers with
  // 0 for such a socket but with EISCONN for one a blocking connect() made.
  std::function<int()> open_socket;
};

struct Response {
  enum class Outcome { Complete, TimedOut, Cancelled, SinkStopped };
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // empty when a sink consumed it
  Outcome outcome = Outcome::Complete;
  std::string error;  // libcurl's reason when the outcome is not Complete

  // The value of a header (case-insensitive name), or "".
  std::string header(std::string_view name) const;
};

// Receives a 2xx response body as it arrives, in arbitrary chunks (other
// bodies land in Response::body so the server's message can be shown).
// Returning false stops the transfer (outcome SinkStopped).
using BodySink = std::function<bool(std::string_view)>;

// No response: the peer could not be reached, the connection broke, or the
// transfer timed out before a status line arrived. what() is libcurl's reason.
class TransferError : public Error {
 public:
  TransferError(ErrorKind kind, const std::string& reason, bool timed_out)
      : Error(kind, reason), timed_out_(timed_out) {}
  bool timed_out() const noexcept { return timed_out_; }

 private:
  bool timed_out_;
};

// Sends one request. A timeout after the status line, a cancellation and a
// stopping sink are reported in Response::outcome; anything else that keeps
// a response from arriving throws TransferError (kind Timeout or Io).
Response send(const Request& request, const BodySink* sink = nullptr,
              const CancelToken* cancel = nullptr);

// The parts of an absolute URL (libcurl's parser), or why `url` is not one
// ("is not a URL: ...", to follow the text it was given).
struct UrlParts {
  std::string scheme, host, path;
};
Parsed<UrlParts> parse_url(const std::string& url);
// `url` as libcurl writes it back, with its path replaced by `path` unless
// that is empty; `url` unchanged when it is not a URL.
std::string normalised_url(const std::string& url, const std::string& path = {});

}  // namespace clnrm::http
