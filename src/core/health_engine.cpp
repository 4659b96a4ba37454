// The engine part of `clnrm health`: is a Docker or Podman API answering on a
// unix socket, and which API version does it speak. Plain libcurl, so health
// works even when the docker backend itself is broken.
#include <clnrm/health.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

namespace clnrm {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < (1u << 20)) body->append(data, size * count);
  return size * count;
}

struct HttpAnswer {
  bool ok = false;
  long status = 0;
  std::string body;
  std::string error;
};

HttpAnswer get_over_unix_socket(const std::string& socket, const std::string& path,
                                std::chrono::milliseconds timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpAnswer a;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    a.error = "curl_easy_init failed";
    return a;
  }
  char err[CURL_ERROR_SIZE] = {0};
  const std::string url = "http://localhost" + path;
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, err);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    a.error = err[0] ? err : curl_easy_strerror(rc);
    return a;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &a.status);
  a.ok = a.status >= 200 && a.status < 300;
  if (!a.ok) a.error = fmt::format("HTTP {}", a.status);
  return a;
}

std::vector<std::string> default_sockets() {
  std::vector<std::string> out;
  if (const char* host = std::getenv("DOCKER_HOST");
      host && std::string_view(host).rfind("unix://", 0) == 0) {
    out.emplace_back(host + 7);
  }
  if (const char* s = std::getenv("CLNRM_DOCKER_SOCKET"); s && *s) out.emplace_back(s);
  out.emplace_back("/var/run/docker.sock");
  out.emplace_back("/run/docker.sock");
  out.emplace_back("/run/podman/podman.sock");
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) {
    out.emplace_back(std::string(xdg) + "/podman/podman.sock");
    out.emplace_back(std::string(xdg) + "/docker.sock");
  }
  return out;
}

}  // namespace

std::vector<HealthCheck> check_engines(const HealthOptions& options) {
  std::vector<HealthCheck> out;
  const auto sockets = options.engine_sockets.empty() ? default_sockets() : options.engine_sockets;
  std::set<std::pair<dev_t, ino_t>>
      seen;  // /run/docker.sock and /var/run/docker.sock are usually one socket
  std::vector<std::string> missing;
  bool any_ok = false;
  for (const auto& socket : sockets) {
    struct stat st {};
    if (::stat(socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
      missing.push_back(socket);
      continue;
    }
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    const std::string name = "engine " + socket;
    if (::access(socket.c_str(), R_OK | W_OK) != 0) {
      out.push_back(
          {"engine", name, HealthCheck::Result::Warn, false, "socket exists but is not accessible",
           "add this user to the socket's group (usermod -aG docker $USER) or run as root"});
      continue;
    }
    const auto ping = get_over_unix_socket(socket, "/_ping", options.engine_timeout);
    if (!ping.ok) {
      out.push_back({"engine", name, HealthCheck::Result::Warn, false,
                     fmt::format("GET /_ping failed: {}", ping.error),
                     "start the engine (systemctl start docker / podman system service, or "
                     "scripts/start-docker.sh)"});
      continue;
    }
    std::string detail = "answers /_ping";
    const auto version = get_over_unix_socket(socket, "/version", options.engine_timeout);
    auto v = nlohmann::json::parse(version.body, nullptr, false);
    if (version.ok && v.is_object()) {
      std::string product = "Docker Engine";
      if (v.contains("Components") && v["Components"].is_array()) {
        for (const auto& c : v["Components"]) {
          if (c.value("Name", "").find("Podman") != std::string::npos) product = "Podman";
        }
      }
      detail = fmt::format("{} {} (API {}, min API {}, {} {})", product, v.value("Version", "?"),
                           v.value("ApiVersion", "?"), v.value("MinAPIVersion", "?"),
                           v.value("Os", "?"), v.value("Arch", "?"));
    } else {
      detail += fmt::format("; GET /version failed: {}", version.ok ? "not JSON" : version.error);
    }
    any_ok = true;
    out.push_back({"engine", name, HealthCheck::Result::Ok, false, detail, ""});
  }
  if (!any_ok && out.empty()) {
    out.push_back({"engine", "container engine", HealthCheck::Result::Warn, false,
                   fmt::format("no engine socket found (looked for {}); tests that name an image "
                               "cannot run in containers",
                               fmt::join(missing, ", ")),
                   "install docker.io and start it (scripts/start-docker.sh), or set "
                   "DOCKER_HOST=unix:///path/to.sock; "
                   "the sandbox backend needs no engine"});
  }
  return out;
}

}  // namespace clnrm
