// Images from files: OCI layouts, OCI archives, docker-archives (file_sources.h).
#include "image/file_sources.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/host_path.h"
#include "base/open_beneath.h"
#include "base/unique_fd.h"
#include "image/archive_library.h"
#include "image/digest.h"
#include "image/oci_model.h"

namespace clnrm::image {
namespace {

// libarchive, opened on first use (image/archive_library.h).
const ArchiveLibrary& ar() { return archive_library(); }

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxDocument = 4u << 20;

// Opens `relative` below the directory `dirfd` without following a symbolic
// link (base/open_beneath.h), so a symlink inside a layout cannot lead to
// another host file; only regular files (a FIFO would block the read
// forever, hence O_NONBLOCK until it is known to be a file).
UniqueFd open_layout_file(int dirfd, const std::string& relative, const std::string& what) {
  UniqueFd file = open_beneath(dirfd, relative, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (!file.valid())
    throw Error(ErrorKind::Config,
                fmt::format("{}: cannot open {} ({}{})", what, relative, std::strerror(errno),
                            errno == ELOOP ? ": symbolic links are not followed in an image" : ""));
  struct stat st {};
  if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(ErrorKind::Config, fmt::format("{}: {} is not a regular file", what, relative));
  ::fcntl(file.get(), F_SETFL, 0);
  return file;
}

std::string read_all(int fd, const std::string& what) {
  std::string content;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + what);
    if (n == 0) return content;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > kMaxDocument) throw Error(ErrorKind::Config, fmt::format("{} is too large for a document", what));
  }
}

// The manifest an index names for `tag` (nested indexes: the host platform).
template <class ReadBlob>
std::string manifest_from_index(const std::string& index_text, const std::string& tag, const std::string& what,
                                ReadBlob read_blob) {
  const std::vector<Descriptor> entries = parse_index(index_text, what);
  std::vector<const Descriptor*> matches;
  std::vector<std::string> tags;
  for (const Descriptor& d : entries) {
    if (!d.ref_name.empty()) tags.push_back(d.ref_name);
    const std::string_view ref = d.ref_name;
    const bool match = tag.empty() ? true : (ref == tag || (ref.ends_with(":" + tag)));
    if (match) matches.push_back(&d);
  }
  if (tag.empty() && matches.size() > 1) {
    matches.clear();
    for (const Descriptor& d : entries)
      if (d.ref_name == "latest") matches.push_back(&d);
  }
  if (matches.empty() && !tag.empty() && entries.size() == 1 && entries.front().ref_name.empty())
    matches.push_back(&entries.front());
  if (matches.size() != 1)
    throw Error(ErrorKind::Config,
                fmt::format("{} has {} for tag '{}' (its tags: {}). Name one after the path, e.g. oci:dir:{}", what,
                            matches.empty() ? "no image" : "several images", tag.empty() ? "(none given)" : tag,
                            tags.empty() ? std::string("none") : fmt::format("{}", fmt::join(tags, ", ")),
                            tags.empty() ? std::string("latest") : tags.front()));
  Descriptor chosen = *matches.front();
  for (int depth = 0; is_index_media_type(chosen.media_type); ++depth) {
    if (depth > 4) throw Error(ErrorKind::Config, fmt::format("{}: indexes nested too deeply", what));
    const std::string nested = read_blob(chosen.digest);
    chosen = select_platform(parse_index(nested, what + " (index " + chosen.digest + ")"), what);
  }
  if (!chosen.media_type.empty() && !is_manifest_media_type(chosen.media_type))
    parse_manifest(fmt::format(R"({{"schemaVersion":2,"mediaType":"{}"}})", chosen.media_type), what);
  return chosen.digest;
}

// Every blob a manifest names is present in the store, else an error.
void check_complete(const Store& store, const std::string& manifest_digest, const std::string& what) {
  const Manifest m = parse_manifest(store.read_blob(manifest_digest, "manifest of " + what), "the manifest of " + what);
  for (const Descriptor& d : m.layers)
    if (!store.has_blob(d.digest))
      throw Error(ErrorKind::Config, fmt::format("{} names layer {} but does not contain it: export it again", what, d.digest));
  if (!store.has_blob(m.config.digest))
    throw Error(ErrorKind::Config, fmt::format("{} names config {} but does not contain it", what, m.config.digest));
}

}  // namespace

std::string resolve_file_path(const std::string& path, const std::string& base_dir, const std::string& reference) {
  if (path.empty()) throw Error(ErrorKind::Config, fmt::format("image '{}' names no path", reference));
  std::error_code ec;
  if (base_dir.empty()) {
    const fs::path resolved = fs::canonical(fs::absolute(path), ec);
    if (ec) throw Error(ErrorKind::Config, fmt::format("image '{}': {} does not exist ({})", reference, path, ec.message()));
    return resolved.string();
  }
  const fs::path dir = fs::canonical(base_dir, ec);
  if (ec) throw Error(ErrorKind::Config, fmt::format("cannot resolve the test file's directory {}: {}", base_dir, ec.message()));
  // The one rule for host paths a test file names (rootfs, volumes, these):
  // relative, no '..', inside the directory once symlinks are resolved, not
  // a socket or device, never /proc, /sys, /dev or /run. A layout directory
  // may be written with a trailing '/'.
  std::string relative = path;
  while (relative.size() > 1 && relative.back() == '/') relative.pop_back();
  const HostPathResult r =
      resolve_host_path(dir.string(), relative, {"the image file", false, false});
  if (!r.error.empty()) throw Error(ErrorKind::Config, fmt::format("image '{}': {}", reference, r.error));
  return r.path;
}

std::string import_oci_layout(const Store& store, const std::string& path, const std::string& tag) {
  const std::string what = fmt::format("the OCI layout {}", path);
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) throw Error(ErrorKind::Config, fmt::format("{} is not a directory: {}", what, std::strerror(errno)));
  {
    const std::string layout = read_all(open_layout_file(dir.get(), "oci-layout", what).get(), what + "/oci-layout");
    const json j = json::parse(layout, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("imageLayoutVersion", "") != "1.0.0")
      throw Error(ErrorKind::Config, fmt::format("{} has no oci-layout file of version 1.0.0: not an OCI image layout "
                                                 "(make one with `skopeo copy docker-archive:x.tar oci:{}:latest`)",
                                                 what, path));
  }
  // A blob enters the store once; a layout's blob file is read only when
  // the store lacks it, and verified on the way in.
  auto import_blob = [&](const std::string& digest) {
    auto hex = digest_hex(digest);
    if (!hex) throw Error(ErrorKind::Config, fmt::format("{}: {}", what, hex.error()));
    if (store.has_blob(digest)) return;
    UniqueFd in = open_layout_file(dir.get(), "blobs/sha256/" + *hex, what);
    BlobWriter writer(store, fmt::format("blob {} of {}", digest, what));
    std::string buf(1 << 20, '\0');
    for (;;) {
      const ssize_t n = ::read(in.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("cannot read blob " + digest + " of " + what);
      if (n == 0) break;
      writer.write(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    }
    writer.commit(digest);
  };
  auto read_blob = [&](const std::string& digest) {
    import_blob(digest);
    return store.read_blob(digest, "index " + digest + " of " + what);
  };
  const std::string index = read_all(open_layout_file(dir.get(), "index.json", what).get(), what + "/index.json");
  const std::string manifest_digest = manifest_from_index(index, tag, what, read_blob);
  import_blob(manifest_digest);
  const Manifest m = parse_manifest(store.read_blob(manifest_digest, "manifest of " + what), "the manifest of " + what);
  import_blob(m.config.digest);
  for (const Descriptor& layer : m.layers) import_blob(layer.digest);
  return manifest_digest;
}

std::string import_archive(const Store& store, const std::string& path, FileSource::Kind kind,
                           const std::string& name_tag, const std::string& what) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(ErrorKind::Config, fmt::format("{} is not a readable regular file", what));
  ::fcntl(fd.get(), F_SETFL, 0);
  std::unique_ptr<archive, ArchiveReadCloser> a(ar().read_new());
  ar().support_filter_gzip(a.get());
  ar().support_filter_zstd(a.get());
  ar().support_format_tar(a.get());
  if (ar().open_fd(a.get(), fd.get(), 1 << 20) != ARCHIVE_OK)
    throw Error(ErrorKind::Config, fmt::format("{} is not a tar archive: {}", what, ar().error_string(a.get())));

  std::map<std::string, std::string> documents;  // small JSON members by name
  std::map<std::string, std::string> digests;    // member name -> digest of its bytes
  std::map<std::string, std::string> aliases;    // symlink member -> its target (legacy docker save)
  for (;;) {
    archive_entry* e = nullptr;
    const int r = ar().next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      throw Error(ErrorKind::Config, fmt::format("{} is not a readable tar archive: {}", what, ar().error_string(a.get())));
    std::string name = ar().entry_pathname(e) ? ar().entry_pathname(e) : "";
    while (name.starts_with("./")) name.erase(0, 2);
    if (ar().entry_filetype(e) == AE_IFLNK && ar().entry_symlink(e)) {
      const fs::path target = (fs::path(name).parent_path() / ar().entry_symlink(e)).lexically_normal();
      aliases[name] = target.string();
      continue;
    }
    if (ar().entry_filetype(e) != AE_IFREG) continue;
    const bool named_blob = name.starts_with("blobs/sha256/");
    const std::string expected = named_blob ? "sha256:" + name.substr(13) : "";
    if (named_blob && store.has_blob(expected)) {
      if (auto hex = digest_hex(expected); !hex) throw Error(ErrorKind::Config, fmt::format("{}: {}", what, hex.error()));
      digests[name] = expected;
      ar().data_skip(a.get());
      continue;
    }
    const bool document = !named_blob && ar().entry_size(e) <= static_cast<la_int64_t>(kMaxDocument) &&
                          (name.ends_with(".json") || name == "oci-layout");
    BlobWriter writer(store, fmt::format("{} in {}", name, what));
    std::string doc;
    const void* buf = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      const int rd = ar().data_block(a.get(), &buf, &size, &offset);
      if (rd == ARCHIVE_EOF) break;
      if (rd != ARCHIVE_OK && rd != ARCHIVE_WARN)
        throw Error(ErrorKind::Config, fmt::format("cannot read {} in {}: {}", name, what, ar().error_string(a.get())));
      const std::string_view chunk(static_cast<const char*>(buf), size);
      writer.write(chunk);
      if (document) doc.append(chunk);
    }
    if (document) documents[name] = std::move(doc);
    if (!named_blob || digest_hex(expected)) digests[name] = writer.commit(expected);
  }

  auto digest_of = [&](std::string member) {
    while (member.starts_with("./")) member.erase(0, 2);
    for (int hops = 0; aliases.count(member) && hops < 8; ++hops) member = aliases[member];
    auto it = digests.find(member);
    if (it == digests.end()) throw Error(ErrorKind::Config, fmt::format("{} names {} but does not contain it", what, member));
    return it->second;
  };

  if (kind == FileSource::Kind::OciArchive) {
    auto index = documents.find("index.json");
    if (index == documents.end())
      throw Error(ErrorKind::Config, fmt::format("{} has no index.json: not an OCI archive", what));
    auto read_blob = [&](const std::string& digest) { return store.read_blob(digest, "index " + digest + " of " + what); };
    const std::string manifest = manifest_from_index(index->second, name_tag, what, read_blob);
    check_complete(store, manifest, what);
    return manifest;
  }

  auto manifest_json = documents.find("manifest.json");
  if (manifest_json == documents.end())
    throw Error(ErrorKind::Config,
                fmt::format("{} has no manifest.json: not a docker-archive (`docker save` output){}", what,
                            documents.count("index.json") ? "; it looks like an OCI archive: name it oci-archive:" : ""));
  const json list = json::parse(manifest_json->second, nullptr, false);
  if (!list.is_array() || list.empty())
    throw Error(ErrorKind::Config, fmt::format("{}: manifest.json lists no image", what));
  const json* chosen = nullptr;
  std::vector<std::string> all_tags;
  for (const json& image : list) {
    for (const json& t : image.value("RepoTags", json::array())) {
      if (!t.is_string()) continue;
      all_tags.push_back(t.get<std::string>());
      if (!name_tag.empty() && normalize_image_ref(t.get<std::string>()) == normalize_image_ref(name_tag)) chosen = &image;
    }
  }
  if (name_tag.empty() && list.size() == 1) chosen = &list.front();
  if (chosen == nullptr)
    throw Error(ErrorKind::Config, fmt::format("{} holds {} image(s) and none is tagged '{}' (its tags: {}); name one: "
                                               "docker-archive:{}:<name:tag>",
                                               what, list.size(), name_tag, fmt::join(all_tags, ", "), path));
  if (!(*chosen).contains("Config") || !(*chosen)["Config"].is_string() || !(*chosen).contains("Layers"))
    throw Error(ErrorKind::Config, fmt::format("{}: manifest.json names no Config or Layers", what));
  Descriptor config;
  config.digest = digest_of((*chosen)["Config"].get<std::string>());
  config.media_type = "application/vnd.docker.container.image.v1+json";
  config.size = store.read_blob(config.digest, "config of " + what).size();
  std::vector<Descriptor> layers;
  for (const json& l : (*chosen)["Layers"]) {
    if (!l.is_string()) throw Error(ErrorKind::Config, fmt::format("{}: manifest.json has a Layers entry that is not a path", what));
    Descriptor d;
    d.digest = digest_of(l.get<std::string>());
    d.media_type = "application/vnd.oci.image.layer.v1.tar";
    struct stat bs {};
    if (::stat(store.blob_path(d.digest).c_str(), &bs) == 0) d.size = static_cast<std::uint64_t>(bs.st_size);
    layers.push_back(std::move(d));
  }
  // docker-archive has no content-addressed manifest: clnrm writes the OCI
  // manifest it stands for, so every image in the store is a manifest blob.
  return store.put_blob(make_oci_manifest(config, layers), "", "manifest of " + what);
}

}  // namespace clnrm::image
