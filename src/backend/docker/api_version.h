#pragma once
// Engine API version negotiation. The client speaks a range of API versions;
// the engine advertises its maximum (/_ping "API-Version" header, /version
// "ApiVersion") and minimum (/version "MinAPIVersion"). We use the lower of
// the two maxima and fail clearly when that falls below either minimum.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace clnrm::docker {

struct ApiVersion {
  int major = 0;
  int minor = 0;
  auto operator<=>(const ApiVersion&) const = default;
  std::string str() const;  // "1.41"
  static std::optional<ApiVersion> parse(std::string_view text);
};

// The range this client is written against. 1.40 is the oldest with every
// HostConfig field we set (NanoCpus, PidsLimit, Tmpfs, CapAdd/CapDrop
// lists); newer ones are accepted up to our max without changes in paths.
inline constexpr ApiVersion kClientMinApi{1, 40};
inline constexpr ApiVersion kClientMaxApi{1, 45};

struct EngineInfo {
  ApiVersion api;            // negotiated
  ApiVersion server_max;
  ApiVersion server_min;
  std::string version;       // engine's product version ("20.10.24", "4.3.1")
  bool podman = false;       // Libpod-Api-Version header or "Podman Engine" component
  std::string os;            // "linux"
};

// Decides the version from the /_ping headers (API-Version, Libpod-Api-Version;
// pass "" when absent) and the parsed /version body. Throws Error(Backend)
// naming both ranges when there is no common version.
EngineInfo negotiate_api_version(std::string_view ping_api_version, std::string_view ping_libpod_version,
                                 const nlohmann::json& version_body, ApiVersion client_min = kClientMinApi,
                                 ApiVersion client_max = kClientMaxApi);

}  // namespace clnrm::docker
