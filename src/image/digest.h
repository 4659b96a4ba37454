#pragma once
// Internal to src/image: content digests ("sha256:<64 lowercase hex>"). A
// digest read from an image (index, manifest, archive) names a file in the
// store, so it is checked strictly before it becomes part of a path.

#include <clnrm/parsed.h>
#include <clnrm/sha256.h>

#include <string>
#include <string_view>

namespace clnrm::image {

// The hex part of a valid sha256 digest, or why `digest` is not one.
Parsed<std::string> digest_hex(std::string_view digest);

// "sha256:" + hex of what `hasher` was fed.
std::string finish_digest(Sha256& hasher);

}  // namespace clnrm::image
