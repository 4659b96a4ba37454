#include "backend/docker/docker_client.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <thread>

#include "backend/docker/stream_demuxer.h"

namespace clnrm::docker {

std::string api_prefix(const ApiVersion& v) { return "/v" + v.str(); }

std::string engine_message(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto it = j.find("message"); it != j.end() && it->is_string()) return it->get<std::string>();
    if (auto it = j.find("cause"); it != j.end() && it->is_string()) return it->get<std::string>();
  }
  std::string s = body;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? std::string("(no message)") : s;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

HttpResponse send_ping(Transport& transport, std::chrono::milliseconds timeout) {
  return transport.send({"GET", "/_ping", {}, {}, timeout});
}

std::string ping_problem(const HttpResponse& answer, std::chrono::milliseconds timeout) {
  if (answer.outcome != HttpResponse::Outcome::Complete)
    return fmt::format("no answer to GET /_ping within {} ms", timeout.count());
  if (answer.status != 200) return fmt::format("GET /_ping answered HTTP {}", answer.status);
  return {};
}

DockerClient::DockerClient(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}

bool DockerClient::ping(std::chrono::milliseconds timeout) {
  try {
    return ping_problem(send_ping(*transport_, timeout), timeout).empty();
  } catch (const Error&) {
    return false;
  }
}

const EngineInfo& DockerClient::connect() {
  if (connected_) return info_;
  const HttpResponse p = send_ping(*transport_, std::chrono::seconds(10));
  check(p, "ping the engine");
  HttpRequest ver{"GET", "/version", {}, {}, std::chrono::seconds(10)};
  auto v = transport_->send(ver);
  check(v, "read the engine version");
  auto body = nlohmann::json::parse(v.body, nullptr, false);
  if (!body.is_object())
    throw Error(ErrorKind::Backend, "the engine's /version answer is not JSON: " + v.body.substr(0, 200),
                endpoint().describe());
  info_ = negotiate_api_version(p.header("Api-Version"), p.header("Libpod-Api-Version"), body);
  connected_ = true;
  return info_;
}

std::string DockerClient::versioned(const std::string& path) const {
  if (!connected_) throw Error(ErrorKind::Internal, "DockerClient used before connect()");
  return api_prefix(info_.api) + path;
}

void DockerClient::check(const HttpResponse& r, const std::string& what) const {
  if (r.outcome == HttpResponse::Outcome::TimedOut)
    throw Error(ErrorKind::Timeout, "the engine did not finish in time: " + what, endpoint().describe());
  if (r.outcome == HttpResponse::Outcome::Cancelled) throw Error(ErrorKind::Cancelled, "cancelled: " + what);
  if (r.status >= 400 || r.status == 0)
    throw Error(ErrorKind::Backend, fmt::format("cannot {}: {} (HTTP {})", what, engine_message(r.body), r.status),
                endpoint().describe());
}

HttpResponse DockerClient::request(const std::string& method, const std::string& path, const std::string& body,
                                   const std::string& content_type) {
  HttpRequest req;
  req.method = method;
  req.path = versioned(path);
  req.body = body;
  req.content_type = content_type;
  if (content_type.empty() && !body.empty()) req.content_type = "application/json";
  return transport_->send(req);
}

std::optional<nlohmann::json> DockerClient::image_inspect(const std::string& image) {
  auto r = request("GET", "/images/" + url_encode(image) + "/json");
  if (r.status == 404) return std::nullopt;
  check(r, "inspect image '" + image + "'");
  return nlohmann::json::parse(r.body);
}

void DockerClient::image_pull(const std::string& image, const CancelToken* cancel) {
  std::string from = image, tag;
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (image.find('@') == std::string::npos && colon != std::string::npos &&
      (slash == std::string::npos || colon > slash)) {
    from = image.substr(0, colon);
    tag = image.substr(colon + 1);
  }
  HttpRequest req;
  req.method = "POST";
  req.path = versioned("/images/create?fromImage=" + url_encode(from) + (tag.empty() ? "" : "&tag=" + url_encode(tag)));
  req.timeout = std::chrono::minutes(10);
  auto r = transport_->send(req, nullptr, cancel);
  auto pull_error = [&image](const std::string& why) {
    return Error(ErrorKind::Backend,
                 fmt::format("image '{}' is not present and could not be pulled: {}. Offline? Map it to a local "
                             "image with --image-map {}=clnrm-test/busybox (or an [images] table in "
                             "cleanroom.toml), or build the test images with scripts/make-test-images.sh",
                             image, why, image));
  };
  if (r.status >= 400) throw pull_error(engine_message(r.body));
  check(r, "pull image '" + image + "'");
  // A 200 stream can still end in {"error": ...} (registry refused, no network).
  std::size_t pos = 0;
  while (pos < r.body.size()) {
    auto nl = r.body.find('\n', pos);
    auto line = r.body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? r.body.size() : nl + 1;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("error"))
      throw pull_error(j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump());
  }
}

std::string DockerClient::container_create(const nlohmann::json& body, const std::string& name) {
  auto r = request("POST", "/containers/create" + (name.empty() ? "" : "?name=" + url_encode(name)), body.dump());
  check(r, fmt::format("create container '{}' from image '{}'", name, body.value("Image", "")));
  return nlohmann::json::parse(r.body).at("Id").get<std::string>();
}

void DockerClient::container_start(const std::string& id) {
  auto r = request("POST", "/containers/" + id + "/start");
  if (r.status == 304) return;  // already started
  check(r, "start container " + id.substr(0, 12));
}

std::optional<nlohmann::json> DockerClient::container_inspect(const std::string& id) {
  auto r = request("GET", "/containers/" + id + "/json");
  if (r.status == 404) return std::nullopt;
  check(r, "inspect container " + id.substr(0, 12));
  return nlohmann::json::parse(r.body);
}

int DockerClient::container_wait(const std::string& id) {
  auto r = request("POST", "/containers/" + id + "/wait");
  check(r, "wait for container " + id.substr(0, 12));
  return nlohmann::json::parse(r.body).value("StatusCode", -1);
}

std::string DockerClient::container_logs(const std::string& id, int tail_lines) {
  auto r = request("GET", fmt::format("/containers/{}/logs?stdout=1&stderr=1&tail={}", id,
                                      tail_lines > 0 ? std::to_string(tail_lines) : "all"));
  if (r.status == 404) return {};
  check(r, "read logs of container " + id.substr(0, 12));
  // TTY containers send raw bytes; ours never use a TTY, so it is multiplexed.
  StreamDemuxer demux(SIZE_MAX, /*merge=*/true);
  demux.feed(r.body);
  return std::move(demux.out());
}

void DockerClient::container_stop(const std::string& id, int grace_seconds) {
  auto r = request("POST", fmt::format("/containers/{}/stop?t={}", id, grace_seconds));
  if (r.status == 304 || r.status == 404) return;
  check(r, "stop container " + id.substr(0, 12));
}

void DockerClient::container_kill(const std::string& id, const std::string& signal) {
  auto r = request("POST", fmt::format("/containers/{}/kill?signal={}", id, signal));
  if (r.status == 404 || r.status == 409) return;  // gone / not running
  check(r, "kill container " + id.substr(0, 12));
}

void DockerClient::container_remove(const std::string& id, bool force) {
  auto r = request("DELETE", fmt::format("/containers/{}?force={}&v=1", id, force ? 1 : 0));
  if (r.status == 404) return;
  // 409 "removal already in progress": someone else (a parallel reaper) is on it.
  if (r.status == 409 && engine_message(r.body).find("already in progress") != std::string::npos) return;
  check(r, "remove container " + id.substr(0, 12));
}

bool DockerClient::container_rename(const std::string& id, const std::string& name) {
  auto r = request("POST", fmt::format("/containers/{}/rename?name={}", id, url_encode(name)));
  if (r.status == 404) return false;
  check(r, "rename container " + id.substr(0, 12));
  return true;
}

std::vector<nlohmann::json> DockerClient::container_list(const std::vector<std::string>& label_filters) {
  nlohmann::json filters = nlohmann::json::object();
  filters["label"] = label_filters;
  auto r = request("GET", "/containers/json?all=1&filters=" + url_encode(filters.dump()));
  check(r, "list containers");
  auto j = nlohmann::json::parse(r.body);
  return j.is_array() ? j.get<std::vector<nlohmann::json>>() : std::vector<nlohmann::json>{};
}

void DockerClient::put_archive(const std::string& id, const std::string& dir, const std::string& tar) {
  auto r = request("PUT", fmt::format("/containers/{}/archive?path={}", id, url_encode(dir)), tar, "application/x-tar");
  check(r, fmt::format("copy files into {} of container {}", dir, id.substr(0, 12)));
}

std::string DockerClient::exec_create(const std::string& container, const nlohmann::json& body) {
  auto r = request("POST", "/containers/" + container + "/exec", body.dump());
  check(r, "create exec in container " + container.substr(0, 12));
  return nlohmann::json::parse(r.body).at("Id").get<std::string>();
}

ExecOutput DockerClient::exec_start(const std::string& exec_id, std::size_t output_limit,
                                    std::chrono::milliseconds timeout, const CancelToken* cancel) {
  HttpRequest req;
  req.method = "POST";
  req.path = versioned("/exec/" + exec_id + "/start");
  req.body = R"({"Detach":false,"Tty":false})";
  req.content_type = "application/json";
  req.timeout = timeout;
  StreamDemuxer demux(output_limit);
  BodySink sink = [&demux](std::string_view chunk) {
    demux.feed(chunk);
    return true;
  };
  auto r = transport_->send(req, &sink, cancel);
  ExecOutput out;
  if (r.outcome == HttpResponse::Outcome::TimedOut) out.timed_out = true;
  else if (r.outcome == HttpResponse::Outcome::Cancelled) out.cancelled = true;
  else check(r, "start exec " + exec_id.substr(0, 12));
  out.out = std::move(demux.out());
  out.err = std::move(demux.err());
  if (out.timed_out || out.cancelled) return out;
  // The stream ends when the process closed its output; its exit status is
  // recorded a moment later, so poll briefly while the exec says Running.
  for (int attempt = 0;; ++attempt) {
    auto j = exec_inspect(exec_id);
    if (!j.value("Running", false) || attempt >= 200) {
      if (!j.value("Running", false) && j.contains("ExitCode") && j["ExitCode"].is_number_integer())
        out.exit_code = j["ExitCode"].get<int>();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 1 : 10));
  }
  return out;
}

nlohmann::json DockerClient::exec_inspect(const std::string& exec_id) {
  auto r = request("GET", "/exec/" + exec_id + "/json");
  check(r, "inspect exec " + exec_id.substr(0, 12));
  return nlohmann::json::parse(r.body);
}

}  // namespace clnrm::docker
