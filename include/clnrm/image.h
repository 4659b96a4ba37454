#pragma once
// OCI images for the sandbox backend: a reference resolved to verified,
// unpacked layers in a content-addressed store, plus the image's config.
// The sandbox stacks the layers (overlayfs, lowest first) as a service's or
// step's root; the docker backend never uses this (the engine has its own).
//
// Implemented in src/image/ (the store, the sources, the unpacker).

#include <clnrm/parsed.h>
#include <clnrm/pull_policy.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// What the image's config says about how to run it (OCI image config,
// "config" object). Empty fields: the image does not set them.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;   // "NAME=value", in the image's order
  std::string working_dir;
  std::string user;               // "uid", "uid:gid", "name" or "name:group"
  std::vector<int> exposed_tcp_ports;
};

// An image ready to run: every layer verified against its digest and
// unpacked once, read-only from here on.
struct ImageRootfs {
  std::string reference;               // as the test file (after --image-map) wrote it
  std::string manifest_digest;         // "sha256:<hex>"
  std::vector<std::string> layer_dirs; // absolute host paths, lowest layer first
  ImageConfig config;
};

// FROM=TO image substitutions (offline mirrors), for both backends
// (--image-map, cleanroom.toml [images]). Keys are normalised image
// references ("alpine" == "alpine:latest" == "docker.io/library/alpine:latest").
using ImageMap = std::map<std::string, std::string>;

// One "FROM=TO" entry, FROM normalised (normalize_image_ref).
struct ImageMapping {
  std::string from, to;
};
// Parses one "FROM=TO"; the reason names the bad entry (the caller adds
// where it came from: --image-map, cleanroom.toml [images]).
Parsed<ImageMapping> parse_image_mapping(std::string_view entry);
// Parses "FROM=TO" or several separated by commas ("a=b,c=d"); later
// entries win.
Parsed<ImageMap> parse_image_map(std::string_view text);
// "alpine" -> "alpine:latest"; strips docker.io/library/ and docker.io/.
std::string normalize_image_ref(std::string_view image);
// The image to run for `image` under `map` (itself when unmapped).
std::string map_image(const ImageMap& map, std::string_view image);

// How layers land on disk. A root runner's pods map pod uid N to host uid
// `uid_offset + N` (the sandbox's pod_id_base), so files are chowned to the
// image's owner + offset and overlayfs metadata uses the trusted.* xattrs.
// A non-root runner cannot chown: files belong to the runner, setuid/setgid
// bits are dropped, and an opaque directory is marked user.overlay.opaque=y,
// so the sandbox must mount such layers with overlayfs' `userxattr` option.
// Whiteouts are character devices 0/0 in both forms (the kernel lets
// unprivileged users make that one device since Linux 5.8).
struct LayerOwnership {
  bool privileged = false;       // chown + trusted.overlay.*; default: geteuid() == 0
  std::uint32_t uid_offset = 0;  // added to every uid/gid of the layer when privileged
  std::uint32_t id_count = 65536;  // ids the pod maps (sandbox.h kPodIdCount): a file owned beyond is refused
};

// privileged = (geteuid() == 0), uid_offset 0. A root runner's sandbox sets
// uid_offset to its pod_id_base (include/clnrm/sandbox.h), as `clnrm image
// pull` does, so the cache holds the form its pods use.
LayerOwnership default_layer_ownership();

// The Engine API endpoint used to export images from a local Docker/Podman
// store. The caller fills it from the project's one resolver
// (src/backend/docker/endpoint.cpp, layer 5, which this module may not
// include); empty: the engine is not consulted.
struct ImageEngine {
  std::string unix_socket;  // set for a unix socket
  std::string base_url;     // "http://localhost" (unix socket) or "http://host:port"
  std::string describe;     // for messages: "unix:///var/run/docker.sock (from DOCKER_HOST)"
};

// Caps on what unpacking may write (docs/images.md, "Size limits"): a layer
// is untrusted input, and a small gzip can expand to terabytes (a
// decompression bomb). Bytes are the regular files' sizes as unpacked;
// entries are the layer's tar entries. A layer or image over a cap is
// refused, naming the layer's digest and the cap, and nothing of it stays
// in the cache. Checked for layers already in the cache too, so an image
// passes or fails the same way whatever the cache holds.
struct ImageLimits {
  std::uint64_t max_layer_bytes = std::uint64_t{4} << 30;  // 4 GiB
  std::uint64_t max_image_bytes = std::uint64_t{8} << 30;  // 8 GiB: every layer of one image
  std::uint64_t max_layer_entries = 1'000'000;
};

struct ImageOptions {
  // The store's directory; empty: $CLNRM_IMAGE_CACHE, else
  // $XDG_CACHE_HOME/clnrm/images (~/.cache/clnrm/images) for a non-root
  // runner, /var/cache/clnrm/images for root.
  std::string cache_dir;
  PullPolicy pull_policy = PullPolicy::Missing;
  bool offline = false;  // never touch the network: no registry request whatever the policy, no tcp:// engine
  ImageMap image_map;    // applied to the reference first
  ImageEngine engine;    // empty: the local engine is not asked
  LayerOwnership ownership = default_layer_ownership();
  ImageLimits limits;
  // Paths of file sources (oci:, oci-archive:, docker-archive:) written in a
  // test file are untrusted: when base_dir is set they are resolved relative
  // to it and refused when absolute or leading outside it (also through a
  // symlink). Empty (the CLI's `clnrm image pull`, a user's own command
  // line): relative to the working directory, absolute paths allowed.
  std::string base_dir;
  // Where names without a registry host ("redis:7") are pulled from:
  // "host:port"; empty: docker.io. Plain http only for loopback hosts.
  std::string default_registry;
  // Registry credentials, in docker's config.json form (docs/images.md,
  // "Registry credentials"); read only when a registry asks for a token.
  // Empty: $CLNRM_REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else
  // ~/.docker/config.json. Never taken from a test file.
  std::string registry_auth_file;
};

// The store's directory under `options` (the rules of ImageOptions::cache_dir).
std::string image_cache_dir(const ImageOptions& options);

// Resolves `reference` (after options.image_map) to a verified, unpacked
// image, in the order of docs/images.md ("Where images come from"):
//   oci:<layout-dir>[:tag]          an OCI image layout directory
//   oci-archive:<file.tar>[:tag]    the same, as a tarball
//   docker-archive:<file.tar>       `docker save` output
//   <name>[:tag|@digest]            the local engine, the store, then a registry (pull policy;
//                                   `always`: the registry first)
// Throws Error naming what was looked for, every place looked and what to do.
ImageRootfs resolve_image(const std::string& reference, const ImageOptions& options);

// An image the store knows by reference (clnrm image ls).
struct StoredImage {
  std::string reference;        // as resolved: "clnrm-test/busybox:latest", "oci:/abs/dir:tag"
  std::string manifest_digest;  // "sha256:<hex>"
  std::string source;           // where it came from: "engine unix:///...", "registry http://...", "the OCI layout /..."
  std::uint64_t size_bytes = 0; // its layer blobs, as stored (compressed or not)
  std::string stored_at;        // RFC 3339 UTC
};
std::vector<StoredImage> list_images(const ImageOptions& options);
// Forgets `reference` (blobs and layers stay until prune). False when unknown.
bool remove_image(const std::string& reference, const ImageOptions& options);
// Deletes blobs and unpacked layers no stored image uses, and temp dirs of
// killed pulls.
struct PruneResult {
  std::size_t blobs_removed = 0;
  std::size_t layers_removed = 0;
  std::size_t temp_removed = 0;
};
PruneResult prune_images(const ImageOptions& options);

}  // namespace clnrm
