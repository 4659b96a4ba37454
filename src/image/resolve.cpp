// A reference resolved to an unpacked image, in the documented order
// (include/clnrm/image.h, docs/images.md "Where images come from").
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "base/cache_dir.h"
#include "image/digest.h"
#include "image/engine_source.h"
#include "image/file_sources.h"
#include "image/layer_unpack.h"
#include "image/oci_model.h"
#include "image/records.h"
#include "image/reference.h"
#include "image/registry_source.h"
#include "image/store.h"

namespace clnrm {
namespace {

using image::ImageRecord;
using image::Store;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The manifest's layers unpacked and its config read.
ImageRootfs materialize(const Store& store, const std::string& reference, const std::string& manifest_digest,
                        const ImageOptions& options) {
  const LayerOwnership& ownership = options.ownership;
  const ImageLimits& limits = options.limits;
  ImageRootfs out;
  out.reference = reference;
  out.manifest_digest = manifest_digest;
  const std::string what = fmt::format("image {}", reference);
  const image::Manifest m =
      image::parse_manifest(store.read_blob(manifest_digest, "the manifest of " + what), "the manifest of " + what);
  out.config = image::parse_image_config(store.read_blob(m.config.digest, "the config of " + what, 16u << 20),
                                         "the config of " + what);
  // Each layer within the per-layer caps (bytes, entries) and what is left
  // of the image's; a layer already in the cache is held to the same caps
  // (its counts kept at unpack: store.h), so the image
  // passes or fails alike whatever the cache holds.
  const std::string layer_cap = fmt::format("the limit of {} per layer", image::format_size(limits.max_layer_bytes));
  const std::string image_cap = fmt::format("what is left of the limit of {} per image after its layers below it",
                                            image::format_size(limits.max_image_bytes));
  std::uint64_t used = 0;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const std::string layer_what = fmt::format("layer {} of {} ({})", i + 1, what, m.layers[i].digest);
    image::UnpackLimits unpack;
    unpack.max_entries = limits.max_layer_entries;
    const std::uint64_t image_left = limits.max_image_bytes > used ? limits.max_image_bytes - used : 0;
    const bool image_bound = image_left < limits.max_layer_bytes;
    unpack.max_bytes = image_bound ? image_left : limits.max_layer_bytes;
    unpack.bytes_cap = image_bound ? image_cap : layer_cap;
    const std::string dir = store.layer(m.layers[i].digest, ownership, layer_what, unpack);
    const std::uint64_t bytes = Store::layer_bytes(dir);
    if (bytes > unpack.max_bytes) image::throw_over_size_limit(layer_what, unpack.max_bytes, unpack.bytes_cap);
    if (store.layer_entries(m.layers[i].digest, dir, layer_what) > limits.max_layer_entries)
      image::throw_over_entry_limit(layer_what, limits.max_layer_entries);
    used += bytes;
    out.layer_dirs.push_back(dir);
  }
  return out;
}

bool record_usable(const Store& store, const std::optional<ImageRecord>& r) {
  return r && store.has_blob(r->manifest_digest);
}

ImageRootfs resolve_file(const Store& store, const std::string& reference, const image::FileSource& source,
                         const ImageOptions& options) {
  const std::string path = image::resolve_file_path(source.path, options.base_dir, reference);
  const std::string kind(image::to_string(source.kind));
  const std::string what = fmt::format("the {} {}", kind == "oci" ? "OCI layout" : kind, path);
  const std::string manifest =
      source.kind == image::FileSource::Kind::OciLayout
          ? image::import_oci_layout(store, path, source.tag)
          : image::import_archive(store, path, source.kind, source.tag, what);
  const std::string canonical = fmt::format("{}:{}{}", kind, path, source.tag.empty() ? "" : ":" + source.tag);
  image::save_record(store, {canonical, manifest, "", what, ""});
  return materialize(store, reference, manifest, options);
}

ImageRootfs resolve_name(const Store& store, const std::string& reference, const ImageOptions& options) {
  auto parsed = image::parse_name_reference(reference);
  if (!parsed)
    throw Error(ErrorKind::Config, fmt::format("image '{}': {}. Name an image as name[:tag], registry/name[:tag], "
                                               "oci:<dir>[:tag], oci-archive:<file> or docker-archive:<file>",
                                               reference, parsed.error()));
  const image::NameReference& ref = *parsed;
  const PullPolicy policy = options.offline ? PullPolicy::Never : options.pull_policy;
  const std::string registry_url = image::registry_base_url(ref, options.default_registry);
  std::vector<std::string> looked;

  auto from_registry = [&]() -> std::optional<std::string> {
    try {
      const std::string manifest = image::pull_from_registry(store, ref, registry_url, options.registry_auth_file);
      image::save_record(store, {ref.name, manifest, "", "registry " + registry_url, ""});
      return manifest;
    } catch (const image::RegistryNotFound& e) {
      looked.push_back(e.what());
      return std::nullopt;
    }
  };

  if (policy == PullPolicy::Always) {
    if (auto manifest = from_registry()) return materialize(store, reference, *manifest, options);
  } else {
    // Offline, an engine is asked only over its unix socket (no network).
    const bool engine_allowed = !options.offline || !options.engine.unix_socket.empty();
    if (!options.engine.base_url.empty() && engine_allowed) {
      const image::EngineImage e = image::inspect_engine_image(options.engine, ref.name);
      if (e.state == image::EngineImage::State::Present) {
        const auto record = image::load_record(store, ref.name);
        if (record_usable(store, record) && record->config_digest == e.image_id)
          return materialize(store, reference, record->manifest_digest, options);
        const std::string manifest = image::export_engine_image(store, options.engine, ref.name);
        image::save_record(store, {ref.name, manifest, e.image_id, "engine " + options.engine.describe, ""});
        return materialize(store, reference, manifest, options);
      }
      looked.push_back(e.state == image::EngineImage::State::Absent
                           ? fmt::format("the engine at {} has no image {}", options.engine.describe, ref.name)
                           : fmt::format("the engine at {} did not answer ({})", options.engine.describe, e.reason));
    } else {
      looked.push_back(options.engine.base_url.empty()
                           ? "the local engine was not consulted (none given)"
                           : fmt::format("the engine at {} was not asked (offline, and it is not a unix socket)",
                                         options.engine.describe));
    }
    const auto record = image::load_record(store, ref.name);
    if (record_usable(store, record)) return materialize(store, reference, record->manifest_digest, options);
    looked.push_back(fmt::format("the image cache {} has no {}", store.root(), ref.name));
    if (policy == PullPolicy::Missing) {
      if (auto manifest = from_registry()) return materialize(store, reference, *manifest, options);
    } else {
      looked.push_back(options.offline ? fmt::format("the registry {} was not asked (offline)", registry_url)
                                       : fmt::format("the registry {} was not asked (pull policy never)", registry_url));
    }
  }
  std::string places;
  // One line: a test's error message is its first line in every report.
  for (std::size_t i = 0; i < looked.size(); ++i) places += fmt::format(" ({}) {};", i + 1, looked[i]);
  throw Error(ErrorKind::Config,
              fmt::format("image '{}' not found. Looked in:{} to fix: build or pull it into the local engine "
                          "(docker build / docker pull), `clnrm image pull {}` while online, name a file "
                          "(oci:<dir>:<tag>, docker-archive:<file.tar>), or map the name with --image-map / "
                          "[images] in cleanroom.toml",
                          reference, places, reference));
}

}  // namespace

LayerOwnership default_layer_ownership() {
  LayerOwnership o;
  o.privileged = ::geteuid() == 0;
  return o;
}

std::string image_cache_dir(const ImageOptions& options) {
  if (!options.cache_dir.empty()) return options.cache_dir;
  if (const std::string e = env("CLNRM_IMAGE_CACHE"); !e.empty()) return e;
  if (const auto dir = user_cache_dir()) return *dir + "/images";
  throw Error(ErrorKind::Config, "no image cache directory: set CLNRM_IMAGE_CACHE, XDG_CACHE_HOME or HOME");
}

ImageRootfs resolve_image(const std::string& requested, const ImageOptions& options) {
  const std::string reference = map_image(options.image_map, requested);
  Store store(image_cache_dir(options));
  if (auto file = image::parse_file_source(reference)) return resolve_file(store, reference, *file, options);
  return resolve_name(store, reference, options);
}

std::vector<StoredImage> list_images(const ImageOptions& options) {
  Store store(image_cache_dir(options));
  std::vector<StoredImage> out;
  for (const ImageRecord& r : image::load_records(store)) {
    StoredImage s{r.reference, r.manifest_digest, r.source, 0, r.stored_at};
    try {
      const image::Manifest m = image::parse_manifest(store.read_blob(r.manifest_digest, "manifest"), r.reference);
      struct stat st {};
      for (const auto& d : m.layers)
        if (::stat(store.blob_path(d.digest).c_str(), &st) == 0) s.size_bytes += static_cast<std::uint64_t>(st.st_size);
    } catch (const Error&) {
      // a record whose manifest is gone: listed with size 0; prune drops it
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool remove_image(const std::string& reference, const ImageOptions& options) {
  Store store(image_cache_dir(options));
  if (image::remove_record(store, reference)) return true;
  if (auto file = image::parse_file_source(reference)) {
    std::error_code ec;
    const std::string abs = std::filesystem::absolute(file->path, ec).lexically_normal().string();
    return image::remove_record(store, fmt::format("{}:{}{}", image::to_string(file->kind), abs,
                                                   file->tag.empty() ? "" : ":" + file->tag));
  }
  auto parsed = image::parse_name_reference(reference);
  return parsed && image::remove_record(store, parsed->name);
}

PruneResult prune_images(const ImageOptions& options) {
  Store store(image_cache_dir(options));
  PruneResult result;
  // Hold every image's lock-free view: blobs reachable from a record stay.
  std::set<std::string> keep;
  for (const ImageRecord& r : image::load_records(store)) {
    if (!store.has_blob(r.manifest_digest)) continue;
    keep.insert(r.manifest_digest);
    try {
      const image::Manifest m = image::parse_manifest(store.read_blob(r.manifest_digest, "manifest"), r.reference);
      keep.insert(m.config.digest);
      for (const auto& d : m.layers) keep.insert(d.digest);
    } catch (const Error&) {
    }
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store.blobs_dir(), ec)) {
    if (keep.count("sha256:" + entry.path().filename().string())) continue;
    if (::unlink(entry.path().c_str()) == 0) ++result.blobs_removed;
  }
  for (const auto& form : fs::directory_iterator(store.layers_dir(), ec)) {
    for (const auto& layer : fs::directory_iterator(form.path(), ec)) {
      const std::string name = layer.path().filename().string();
      if (name.starts_with(".tmp-")) {
        // Under the layer's lock: an unpack in progress holds it.
        const std::string hex = name.substr(5, 64);
        FileLock held = store.lock("layer-" + form.path().filename().string() + "-" + hex);
        if (fs::exists(layer.path()) && image::remove_tree(layer.path().string())) ++result.temp_removed;
        continue;
      }
      if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) {
        // a layer's counts (.bytes, .entries): go with its layer
        const std::string layer_name = name.substr(0, dot);
        if (!keep.count("sha256:" + layer_name) && !fs::exists(form.path() / layer_name)) ::unlink(layer.path().c_str());
        continue;
      }
      if (keep.count("sha256:" + name)) continue;
      FileLock held = store.lock("layer-" + form.path().filename().string() + "-" + name);
      if (image::remove_tree(layer.path().string())) {
        ++result.layers_removed;
        ::unlink((layer.path().string() + ".bytes").c_str());
        ::unlink((layer.path().string() + ".entries").c_str());
      }
    }
  }
  result.temp_removed += image::remove_abandoned_temp_files(store);
  return result;
}

}  // namespace clnrm
