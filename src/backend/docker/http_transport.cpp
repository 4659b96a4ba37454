// The engine's transport: the shared HTTP client (src/base/http_client.h)
// aimed at the endpoint, with the engine named in every error.
#include "backend/docker/http_transport.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <memory>

namespace clnrm::docker {
namespace {

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  const Endpoint& endpoint() const override { return endpoint_; }

  HttpResponse send(const HttpRequest& request, const BodySink* sink, const CancelToken* cancel) override {
    http::Request r;
    r.method = request.method;
    r.url = endpoint_.base_url + request.path;
    r.unix_socket = endpoint_.unix_socket;
    r.body = request.body;
    if (!request.content_type.empty()) r.headers.push_back("Content-Type: " + request.content_type);
    r.timeout = request.timeout;
    try {
      return http::send(r, sink, cancel);
    } catch (const http::TransferError& e) {
      if (e.timed_out())
        throw Error(ErrorKind::Timeout,
                    fmt::format("Docker engine did not answer {} {} within {} ms", request.method, request.path,
                                request.timeout.count()),
                    endpoint_.describe());
      throw Error(ErrorKind::Io,
                  fmt::format("cannot talk to the Docker engine ({} {}): {}", request.method, request.path,
                              e.what()),
                  endpoint_.describe());
    }
  }

 private:
  Endpoint endpoint_;
};

}  // namespace

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
