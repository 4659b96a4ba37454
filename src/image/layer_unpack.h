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

#include <string>
#include <string_view>

namespace clnrm::image {

// Unpacks the tar at `archive_path` into the existing empty directory
// `target_dir`. Throws Error naming `what` (e.g. "layer 2 of
// clnrm-test/busybox:latest (sha256:...)") and the refused entry.
void unpack_layer(const std::string& archive_path, const std::string& target_dir, const LayerOwnership& ownership,
                  std::string_view what);

}  // namespace clnrm::image
