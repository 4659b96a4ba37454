#pragma once
// Internal to src/image: one layer (a tar, optionally gzip/zstd/xz/bzip2
// compressed) unpacked into a directory, treating the layer as untrusted
// input (docs/images.md, "Safety rules for layers"):
//   - every entry lands inside the directory: absolute names, '..' and
//     parents that are symbolic links are refused (the walk opens each
//     component with O_NOFOLLOW, never a path string);
//   - a hard link must name an entry already unpacked in the same layer;
//   - character and block devices are refused (the pod's /dev is the
//     sandbox's own); sockets are skipped; FIFOs are made;
//   - OCI whiteouts become overlayfs whiteouts: `.wh.<name>` a character
//     device 0/0 named <name>, `.wh..wh..opq` the xattr
//     trusted.overlay.opaque=y (user.overlay.opaque=y when not privileged:
//     the sandbox mounts such layers with `userxattr`);
//   - owners: privileged, uid/gid + uid_offset (ids >= id_count refused);
//     otherwise no chown, and setuid/setgid bits are dropped (they would name
//     the runner, not the image's user);
//   - extended attributes and file capabilities in the tar are not kept.

#include <clnrm/image.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace clnrm::image {

// What one unpack may write (ImageLimits, narrowed by the store to what is
// left of the image's budget). `bytes_cap` says which cap max_bytes is, for
// the error: "the limit of 4 GiB per layer".
struct UnpackLimits {
  std::uint64_t max_bytes = UINT64_MAX;
  std::uint64_t max_entries = UINT64_MAX;
  std::string bytes_cap = "the limit";
};

// What an unpacked layer holds, counted as limits count it: the bytes of its
// regular files and its tar entries.
struct UnpackedLayer {
  std::uint64_t bytes = 0;
  std::uint64_t entries = 0;
};

// Unpacks the tar at `archive_path` into the existing empty directory
// `target_dir` and returns what it holds. Throws Error
// naming `what` (e.g. "layer 2 of clnrm-test/busybox:latest (sha256:...)")
// and the refused entry, or the limit exceeded (the caller deletes
// `target_dir`).
UnpackedLayer unpack_layer(const std::string& archive_path, const std::string& target_dir,
                           const LayerOwnership& ownership, std::string_view what, const UnpackLimits& limits = {});

// The tar entries of the layer at `archive_path`, read without unpacking
// (a layer unpacked by a clnrm that did not keep its count). Throws Error
// naming `what` when it is not a readable tar.
std::uint64_t count_layer_entries(const std::string& archive_path, std::string_view what);

// "4 GiB", "512 MiB", "1000 bytes": a cap as a user reads it.
std::string format_size(std::uint64_t bytes);

// Error(Config): `what` (naming the layer's digest) unpacks to more than
// `max_bytes`, which is `cap` ("the limit of 4 GiB per layer"). One wording
// for a layer being unpacked and one already in the cache.
[[noreturn]] void throw_over_size_limit(std::string_view what, std::uint64_t max_bytes, std::string_view cap);
// Error(Config): `what` has more than `max_entries` tar entries (one
// wording for a layer being unpacked and one already in the cache).
[[noreturn]] void throw_over_entry_limit(std::string_view what, std::uint64_t max_entries);

}  // namespace clnrm::image
