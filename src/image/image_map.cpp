// --image-map / [images]: lets upstream-style files that name public images
// (alpine:latest) run offline against locally built ones.
#include <clnrm/image.h>
#include <fmt/format.h>

namespace clnrm {

std::string normalize_image_ref(std::string_view image) {
  std::string s(image);
  for (std::string_view prefix : {"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"}) {
    if (s.starts_with(prefix)) {
      s.erase(0, prefix.size());
      break;
    }
  }
  if (s.find('@') != std::string::npos) return s;  // digest references carry no tag
  const auto slash = s.rfind('/');
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) s += ":latest";
  return s;
}

Parsed<ImageMapping> parse_image_mapping(std::string_view entry) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  };
  entry = trim(entry);
  const auto eq = entry.find('=');
  if (eq == std::string_view::npos || trim(entry.substr(0, eq)).empty() || trim(entry.substr(eq + 1)).empty())
    return Parsed<ImageMapping>::failure(
        fmt::format("bad image mapping '{}': expected FROM=TO, e.g. alpine:latest=clnrm-test/busybox", entry));
  return ImageMapping{normalize_image_ref(trim(entry.substr(0, eq))), std::string(trim(entry.substr(eq + 1)))};
}

Parsed<ImageMap> parse_image_map(std::string_view text) {
  ImageMap map;
  while (!text.empty()) {
    const auto comma = text.find(',');
    Parsed<ImageMapping> entry = parse_image_mapping(text.substr(0, comma));
    if (!entry) return Parsed<ImageMap>::failure(entry.error());
    map[entry->from] = entry->to;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return map;
}

std::string map_image(const ImageMap& map, std::string_view image) {
  if (map.empty() || image.empty()) return std::string(image);
  auto it = map.find(normalize_image_ref(image));
  return it == map.end() ? std::string(image) : it->second;
}

}  // namespace clnrm
