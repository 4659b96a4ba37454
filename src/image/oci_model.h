#pragma once
// Internal to src/image: the JSON documents of an image (OCI image spec and
// Docker's v2 schema 2, which clnrm reads alike): an index (manifest list),
// a manifest, an image config. Parsing throws Error naming `what` and the
// problem; media types outside these are refused with what to do.

#include <clnrm/image.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::image {

struct Descriptor {
  std::string media_type;
  std::string digest;
  std::uint64_t size = 0;
  std::string os, architecture, variant;  // an index entry's platform
  std::string ref_name;                   // annotation org.opencontainers.image.ref.name (OCI layouts)
};

struct Manifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // lowest first
};

enum class DocumentKind { Index, Manifest };

bool is_index_media_type(std::string_view media_type);
bool is_manifest_media_type(std::string_view media_type);
// Accept header value for a registry's manifest endpoint.
std::string manifest_accept_header();

// Which kind a manifest-or-index document is (its mediaType, else its shape).
DocumentKind document_kind(std::string_view json_text, std::string_view media_type_hint, std::string_view what);
std::vector<Descriptor> parse_index(std::string_view json_text, std::string_view what);
// Checks the config and every layer's media type.
Manifest parse_manifest(std::string_view json_text, std::string_view what);
ImageConfig parse_image_config(std::string_view json_text, std::string_view what);

// "linux/amd64" for the machine clnrm was built for.
std::string host_platform();
// The entry of `index` for the host platform; throws Error listing the
// platforms the index has.
Descriptor select_platform(const std::vector<Descriptor>& index, std::string_view what);

// An OCI manifest (JSON) naming `config` and uncompressed tar `layers`
// (docker-archive, whose manifest.json is not a content-addressed manifest).
std::string make_oci_manifest(const Descriptor& config, const std::vector<Descriptor>& layers);

}  // namespace clnrm::image
