// Image references (reference.h).
#include "image/reference.h"

#include <clnrm/image.h>
#include <fmt/format.h>

#include "image/digest.h"

namespace clnrm::image {

Parsed<NameReference> parse_name_reference(std::string_view reference) {
  using P = Parsed<NameReference>;
  if (reference.empty()) return P::failure("the image reference is empty");
  for (char c : reference) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '/' || c == ':' || c == '@';
    if (!ok) return P::failure(fmt::format("'{}' is not an image reference (character '{}')", reference, c));
  }
  NameReference r;
  std::string_view rest = reference;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    if (auto hex = digest_hex(r.digest); !hex) return P::failure(hex.error());
    rest = rest.substr(0, at);
  }
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view first = rest.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos || first == "localhost") {
      r.registry = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  const auto last_slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  if (rest.empty() || rest.find("//") != std::string_view::npos || rest.front() == '/' || rest.back() == '/')
    return P::failure(fmt::format("'{}' is not an image reference (no repository name)", reference));
  for (std::string_view part : {std::string_view(".."), std::string_view("./")})
    if (rest.find(part) != std::string_view::npos) return P::failure(fmt::format("'{}' is not an image reference", reference));
  if (r.registry == "docker.io" || r.registry == "index.docker.io") r.registry.clear();
  r.repository = std::string(rest);
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  std::string name = r.registry.empty() ? r.repository : r.registry + "/" + r.repository;
  if (r.registry.empty() && name.starts_with("library/")) name.erase(0, 8);  // docker.io/library/x is x
  if (r.registry.empty() && r.repository.find('/') == std::string::npos) r.repository = "library/" + r.repository;
  if (!r.tag.empty()) name += ":" + r.tag;
  if (!r.digest.empty()) name += "@" + r.digest;
  r.name = normalize_image_ref(name);
  return r;
}

}  // namespace clnrm::image
