// Content digests (digest.h).
#include "image/digest.h"

#include <fmt/format.h>

namespace clnrm::image {

Parsed<std::string> digest_hex(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!digest.starts_with(kPrefix)) {
    const auto colon = digest.find(':');
    if (colon != std::string_view::npos && colon > 0)
      return Parsed<std::string>::failure(
          fmt::format("digest algorithm '{}' is not supported (clnrm verifies sha256 only)", digest.substr(0, colon)));
    return Parsed<std::string>::failure(fmt::format("'{}' is not a digest (expected sha256:<64 hex digits>)", digest));
  }
  const std::string_view hex = digest.substr(kPrefix.size());
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return Parsed<std::string>::failure(fmt::format("'{}' is not a sha256 digest (64 lowercase hex digits)", digest));
  return std::string(hex);
}

std::string finish_digest(Sha256& hasher) { return "sha256:" + Sha256::to_hex(hasher.finish()); }

}  // namespace clnrm::image
