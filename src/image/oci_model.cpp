// Index, manifest and config documents (oci_model.h).
#include "image/oci_model.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "image/digest.h"

namespace clnrm::image {
namespace {

using nlohmann::json;

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";

bool is_layer_media_type(std::string_view t) {
  for (std::string_view prefix : {"application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.nondistributable.v1.tar"}) {
    if (t == prefix || t == std::string(prefix) + "+gzip" || t == std::string(prefix) + "+zstd") return true;
  }
  return t == "application/vnd.docker.image.rootfs.diff.tar.gzip" ||
         t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ||
         t == "application/vnd.docker.image.rootfs.diff.tar";
}

json parse_json(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(ErrorKind::Config, fmt::format("{} is not a JSON object: the image is damaged; export it again", what));
  return j;
}

std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Descriptor descriptor(const json& j, std::string_view what) {
  if (!j.is_object()) throw Error(ErrorKind::Config, fmt::format("{} has a descriptor that is not an object", what));
  Descriptor d;
  d.media_type = string_at(j, "mediaType");
  d.digest = string_at(j, "digest");
  if (auto hex = digest_hex(d.digest); !hex) throw Error(ErrorKind::Config, fmt::format("{}: {}", what, hex.error()));
  if (auto s = j.find("size"); s != j.end() && s->is_number_unsigned()) d.size = s->get<std::uint64_t>();
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.os = string_at(*p, "os");
    d.architecture = string_at(*p, "architecture");
    d.variant = string_at(*p, "variant");
  }
  if (auto a = j.find("annotations"); a != j.end() && a->is_object())
    d.ref_name = string_at(*a, "org.opencontainers.image.ref.name");
  return d;
}

[[noreturn]] void unsupported(std::string_view what, std::string_view media_type, std::string_view expected) {
  throw Error(ErrorKind::Config,
              fmt::format("{} has the unsupported media type '{}' (clnrm reads {}). Convert the image to an OCI "
                          "image, e.g. `skopeo copy <source> oci:<dir>:<tag>`, and name that",
                          what, media_type.empty() ? "(none)" : media_type, expected));
}

std::vector<std::string> string_list(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

bool is_index_media_type(std::string_view t) { return t == kOciIndex || t == kDockerList; }
bool is_manifest_media_type(std::string_view t) { return t == kOciManifest || t == kDockerManifest; }

std::string manifest_accept_header() {
  return fmt::format("Accept: {}, {}, {}, {}", kOciIndex, kOciManifest, kDockerList, kDockerManifest);
}

DocumentKind document_kind(std::string_view text, std::string_view hint, std::string_view what) {
  const json j = parse_json(text, what);
  std::string type = string_at(j, "mediaType");
  // The Content-Type a registry sent counts only when it names one of ours
  // (some send application/json).
  if (type.empty() && (is_index_media_type(hint) || is_manifest_media_type(hint))) type = std::string(hint);
  if (is_index_media_type(type)) return DocumentKind::Index;
  if (is_manifest_media_type(type)) return DocumentKind::Manifest;
  if (type.empty()) return j.contains("manifests") ? DocumentKind::Index : DocumentKind::Manifest;
  unsupported(what, type, "OCI and Docker v2 manifests and indexes");
}

std::vector<Descriptor> parse_index(std::string_view text, std::string_view what) {
  const json j = parse_json(text, what);
  auto it = j.find("manifests");
  if (it == j.end() || !it->is_array()) throw Error(ErrorKind::Config, fmt::format("{} lists no manifests", what));
  std::vector<Descriptor> out;
  for (const auto& m : *it) out.push_back(descriptor(m, what));
  return out;
}

Manifest parse_manifest(std::string_view text, std::string_view what) {
  const json j = parse_json(text, what);
  const std::string type = string_at(j, "mediaType");
  if (!type.empty() && !is_manifest_media_type(type)) {
    if (is_index_media_type(type)) throw Error(ErrorKind::Config, fmt::format("{} is an index, not a manifest", what));
    unsupported(what, type, "OCI and Docker v2 manifests");
  }
  if (j.value("schemaVersion", 0) != 2) unsupported(what, "schemaVersion " + j.value("schemaVersion", json(0)).dump(), "schema version 2");
  auto cfg = j.find("config");
  auto layers = j.find("layers");
  if (cfg == j.end() || layers == j.end() || !layers->is_array())
    throw Error(ErrorKind::Config, fmt::format("{} has no config or no layers", what));
  Manifest m;
  m.config = descriptor(*cfg, what);
  if (!m.config.media_type.empty() && m.config.media_type != kOciConfig && m.config.media_type != kDockerConfig)
    unsupported(fmt::format("the config of {}", what), m.config.media_type, "OCI and Docker image configs");
  for (const auto& l : *layers) {
    Descriptor d = descriptor(l, what);
    if (!is_layer_media_type(d.media_type))
      unsupported(fmt::format("layer {} of {} ({})", m.layers.size() + 1, what, d.digest), d.media_type,
                  "tar layers, plain, gzip or zstd");
    m.layers.push_back(std::move(d));
  }
  return m;
}

ImageConfig parse_image_config(std::string_view text, std::string_view what) {
  const json j = parse_json(text, what);
  ImageConfig c;
  auto it = j.find("config");
  if (it == j.end() || !it->is_object()) return c;
  const json& cfg = *it;
  c.entrypoint = string_list(cfg, "Entrypoint");
  c.cmd = string_list(cfg, "Cmd");
  c.env = string_list(cfg, "Env");
  c.working_dir = string_at(cfg, "WorkingDir");
  c.user = string_at(cfg, "User");
  if (auto ports = cfg.find("ExposedPorts"); ports != cfg.end() && ports->is_object()) {
    for (const auto& [key, value] : ports->items()) {
      (void)value;
      const auto slash = key.find('/');
      const std::string proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
      if (proto != "tcp") continue;
      int port = 0;
      const std::string digits = key.substr(0, slash);
      if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
      port = std::stoi(digits);
      if (port > 0 && port < 65536) c.exposed_tcp_ports.push_back(port);
    }
    std::sort(c.exposed_tcp_ports.begin(), c.exposed_tcp_ports.end());
  }
  return c;
}

std::string host_platform() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#else
  return "linux/unknown";
#endif
}

Descriptor select_platform(const std::vector<Descriptor>& index, std::string_view what) {
  const std::string host = host_platform();
  std::vector<std::string> seen;
  for (const Descriptor& d : index) {
    const std::string platform = d.os + "/" + d.architecture;
    if (platform == host && is_manifest_media_type(d.media_type.empty() ? kOciManifest : d.media_type)) return d;
    if (!d.os.empty()) seen.push_back(platform + (d.variant.empty() ? "" : "/" + d.variant));
  }
  throw Error(ErrorKind::Config,
              fmt::format("{} has no image for this machine's platform {} (it has: {}). Pull or build the image for "
                          "{}, e.g. `skopeo copy --override-arch {} ...`",
                          what, host, seen.empty() ? std::string("no platform entries") : fmt::format("{}", fmt::join(seen, ", ")),
                          host, host.substr(host.find('/') + 1)));
}

std::string make_oci_manifest(const Descriptor& config, const std::vector<Descriptor>& layers) {
  json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = kOciManifest;
  j["config"] = {{"mediaType", config.media_type.empty() ? std::string(kOciConfig) : config.media_type},
                 {"digest", config.digest},
                 {"size", config.size}};
  j["layers"] = json::array();
  for (const Descriptor& l : layers)
    j["layers"].push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
  return j.dump();
}

}  // namespace clnrm::image
