#pragma once
// The HTTP layer of the Docker client, kept small so it can be tested and
// swapped: a request/response pair and a Transport that sends one request
// over one fresh connection (Podman closes idle connections, and a fresh
// connection per request keeps concurrent tests independent). The curl
// transport is the shared HTTP client (src/base/http_client.h) aimed at the
// engine's endpoint.

#include <clnrm/cancel.h>

#include "base/http_client.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace clnrm::docker {

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // absolute path with query, e.g. "/v1.41/containers/json?all=1"
  std::string body;
  std::string content_type;  // empty: no body / no Content-Type header
  std::chrono::milliseconds timeout{0};  // 0: no limit
};

// Responses and body sinks are the shared HTTP client's (src/base/http_client.h).
using HttpResponse = http::Response;
using BodySink = http::BodySink;

// Where the engine listens.
// Made by parse_docker_host (endpoint.h), the one reader of an engine address.
struct Endpoint {
  std::string unix_socket;  // set for unix:// endpoints
  std::string tcp_host;     // set for tcp:// endpoints, without brackets ("::1", "127.0.0.1", "engine")
  std::uint16_t tcp_port = 0;
  std::string base_url;     // "http://localhost" for unix sockets, "http://host:port" for tcp
  std::string describe() const;  // "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2375"
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request. Throws Error(Io) when the engine cannot be reached;
  // a timeout or cancellation is reported in the outcome, not thrown.
  virtual HttpResponse send(const HttpRequest& request, const BodySink* sink = nullptr,
                            const CancelToken* cancel = nullptr) = 0;
  virtual const Endpoint& endpoint() const = 0;
};

std::unique_ptr<Transport> make_curl_transport(Endpoint endpoint);

}  // namespace clnrm::docker
