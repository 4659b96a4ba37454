#include "backend/docker/api_version.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace clnrm::docker {

std::string ApiVersion::str() const { return fmt::format("{}.{}", major, minor); }

std::optional<ApiVersion> ApiVersion::parse(std::string_view text) {
  ApiVersion v;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v.major);
  if (ec != std::errc() || p == end || *p != '.') return std::nullopt;
  auto [q, ec2] = std::from_chars(p + 1, end, v.minor);
  if (ec2 != std::errc() || q != end) return std::nullopt;
  return v;
}

namespace {

std::string string_field(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  return (it != body.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

}  // namespace

EngineInfo negotiate_api_version(std::string_view ping_api_version, std::string_view ping_libpod_version,
                                 const nlohmann::json& version_body, ApiVersion client_min, ApiVersion client_max) {
  EngineInfo info;
  info.version = string_field(version_body, "Version");
  info.os = string_field(version_body, "Os");
  info.podman = !ping_libpod_version.empty();
  if (auto it = version_body.find("Components"); it != version_body.end() && it->is_array()) {
    for (const auto& c : *it)
      if (c.is_object() && c.value("Name", "") == "Podman Engine") info.podman = true;
  }

  // The /version body is authoritative; the ping header is the fallback (and
  // the only source on engines whose /version lacks ApiVersion).
  std::optional<ApiVersion> server_max = ApiVersion::parse(string_field(version_body, "ApiVersion"));
  if (!server_max) server_max = ApiVersion::parse(ping_api_version);
  if (!server_max)
    throw Error(ErrorKind::Backend,
                fmt::format("the engine did not report its API version (ping header '{}', /version ApiVersion '{}')",
                            ping_api_version, string_field(version_body, "ApiVersion")));
  // Engines that omit MinAPIVersion accept everything up to their maximum.
  std::optional<ApiVersion> server_min = ApiVersion::parse(string_field(version_body, "MinAPIVersion"));
  info.server_max = *server_max;
  info.server_min = server_min.value_or(ApiVersion{1, 12});
  info.api = std::min(client_max, info.server_max);

  const std::string engine = fmt::format("{} {}", info.podman ? "Podman" : "Docker", info.version);
  if (info.api < client_min)
    throw Error(ErrorKind::Backend,
                fmt::format("{} speaks Engine API up to {}, but clnrm needs at least {} (supports {}..{}): "
                            "upgrade the engine",
                            engine, info.server_max.str(), client_min.str(), client_min.str(), client_max.str()));
  if (info.api < info.server_min)
    throw Error(ErrorKind::Backend,
                fmt::format("{} requires Engine API {} or newer, but clnrm supports only up to {}: upgrade clnrm",
                            engine, info.server_min.str(), client_max.str()));
  return info;
}

}  // namespace clnrm::docker
