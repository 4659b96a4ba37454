#pragma once
// A small Docker Engine API client (also Podman's Docker-compatible API).
// Every call is one HTTP request on a fresh connection; paths carry the
// negotiated version prefix ("/v1.41/..."), never a hard-coded one. Engine
// error bodies ({"message": ...}) become clnrm::Error messages.

#include <clnrm/cancel.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/docker/api_version.h"
#include "backend/docker/http_transport.h"

namespace clnrm::docker {

struct ExecOutput {
  std::optional<int> exit_code;  // nullopt when the stream ended early (timeout/cancel)
  bool timed_out = false;
  bool cancelled = false;
  std::string out;
  std::string err;
};

// GET /_ping within `timeout`: the one probe of an engine (DockerClient's
// ping and connect, `clnrm health`). Throws what the transport throws when
// there is no connection; the answer's headers name the API versions.
HttpResponse send_ping(Transport& transport, std::chrono::milliseconds timeout);
// Why `answer` (from send_ping with `timeout`) is not an engine's "OK":
// "GET /_ping answered HTTP 500", "no answer to GET /_ping within 2000 ms";
// empty when it is.
std::string ping_problem(const HttpResponse& answer, std::chrono::milliseconds timeout);

class DockerClient {
 public:
  explicit DockerClient(std::unique_ptr<Transport> transport);

  // /_ping + /version + negotiation; done once, later calls return the cache.
  const EngineInfo& connect();
  const EngineInfo& info() const { return info_; }
  const Endpoint& endpoint() const { return transport_->endpoint(); }
  // True when /_ping answers "OK" within `timeout` (no negotiation).
  bool ping(std::chrono::milliseconds timeout);

  // Images. inspect returns nullopt for an unknown image.
  std::optional<nlohmann::json> image_inspect(const std::string& image);
  // Pulls `image`; throws Error(Backend) naming the image when it fails.
  void image_pull(const std::string& image, const CancelToken* cancel = nullptr);

  // Containers.
  std::string container_create(const nlohmann::json& body, const std::string& name);
  void container_start(const std::string& id);
  // nullopt when the container does not exist (any more).
  std::optional<nlohmann::json> container_inspect(const std::string& id);
  int container_wait(const std::string& id);
  // Combined stdout+stderr, last `tail_lines` lines ("all" when 0).
  std::string container_logs(const std::string& id, int tail_lines);
  void container_stop(const std::string& id, int grace_seconds);
  void container_kill(const std::string& id, const std::string& signal = "KILL");
  // Removes (force: kills first). A container already gone is not an error.
  void container_remove(const std::string& id, bool force = true);
  // Renames a container; false when it does not exist (any more).
  bool container_rename(const std::string& id, const std::string& name);
  // Containers (also stopped ones) that carry every label filter given:
  // "key" or "key=value".
  std::vector<nlohmann::json> container_list(const std::vector<std::string>& label_filters);
  // Copies a tar archive into `dir` of the container.
  void put_archive(const std::string& id, const std::string& dir, const std::string& tar);

  // Exec.
  std::string exec_create(const std::string& container, const nlohmann::json& body);
  // Starts and streams the output, demultiplexed; `timeout` 0 = none.
  ExecOutput exec_start(const std::string& exec_id, std::size_t output_limit, std::chrono::milliseconds timeout,
                        const CancelToken* cancel);
  nlohmann::json exec_inspect(const std::string& exec_id);

  // A raw versioned request (for tests and endpoints not wrapped above).
  HttpResponse request(const std::string& method, const std::string& path, const std::string& body = {},
                       const std::string& content_type = {});

 private:
  std::string versioned(const std::string& path) const;
  // Throws Error(Backend) with the engine's message when status >= 400.
  void check(const HttpResponse& r, const std::string& what) const;

  std::unique_ptr<Transport> transport_;
  EngineInfo info_;
  bool connected_ = false;
};

// "/v1.41" style prefix.
std::string api_prefix(const ApiVersion& v);
// The engine's {"message": ...} or the raw body when it is not JSON.
std::string engine_message(const std::string& body);
// Percent-encodes a query value.
std::string url_encode(std::string_view s);

}  // namespace clnrm::docker
