#include "backend/docker/user_namespace.h"

#include <clnrm/error.h>

namespace clnrm::docker {

bool info_says_userns_remap(const nlohmann::json& info) {
  const auto options = info.find("SecurityOptions");
  if (options == info.end() || !options->is_array()) return false;
  for (const auto& option : *options) {
    if (!option.is_string()) continue;
    const std::string s = option.get<std::string>();
    // "name=userns" possibly followed by ",key=value" pairs; "userns" alone
    // from engines before the name=... format.
    if (s == "userns" || s == "name=userns" || s.rfind("name=userns,", 0) == 0) return true;
  }
  return false;
}

bool engine_remaps_root(DockerClient& client) {
  try {
    const HttpResponse r = client.request("GET", "/info");
    if (r.status != 200) return false;
    return info_says_userns_remap(nlohmann::json::parse(r.body, nullptr, false));
  } catch (const Error&) {
    return false;
  }
}

}  // namespace clnrm::docker
