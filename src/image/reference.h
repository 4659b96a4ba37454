#pragma once
// Internal to src/image: what an image reference names (docs/images.md,
// "Where images come from"): a file source (base/image_file_source.h), or a name with an optional
// registry host, tag and digest.

#include <clnrm/parsed.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/image_file_source.h"  // FileSource, parse_file_source

namespace clnrm::image {

struct NameReference {
  std::string registry;    // "localhost:5000"; "" = the default registry
  std::string repository;  // "clnrm-test/busybox"; "library/redis" on docker.io
  std::string tag;         // "latest" when neither tag nor digest is given
  std::string digest;      // "sha256:..." or ""
  std::string name;        // normalize_image_ref form: what the engine and the store records use
};
Parsed<NameReference> parse_name_reference(std::string_view reference);

}  // namespace clnrm::image
