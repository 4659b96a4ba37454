#pragma once
// Opening a path that untrusted input names below a directory descriptor so
// that neither a symbolic link nor ".." can lead out of it. The one
// implementation for golden files (assert/golden_file.cpp), OCI layouts
// (image/file_sources.cpp), files read from image layers
// (backend/sandbox/image_roots.cpp), layer unpacking
// (image/layer_unpack.cpp), report files written below an output directory
// (base/atomic_file.cpp) and volume mount points in image roots
// (backend/sandbox/mounts.cpp).

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>

#include "base/unique_fd.h"

namespace clnrm {

// How a path is resolved below the directory.
enum class BeneathRule {
  // For host files an untrusted file names: no symbolic link is followed
  // anywhere on the path (ELOOP), and a ".." that leaves the directory or an
  // absolute path fails (EXDEV). openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
  // | RESOLVE_NO_MAGICLINKS); where openat2 is missing (ENOSYS: Linux before
  // 5.6) the same rule by a walk, one O_NOFOLLOW component at a time
  // (open_beneath_walk), which refuses every "..". Callers check paths with
  // why_not_beneath (base/atomic_file.h) first, so none has a "..".
  NoSymlinks,
  // For a path inside an image root as the image's own processes see it:
  // the image's symbolic links are followed (its /srv -> /data must work)
  // but resolve inside the root, even "/", ".." or a host path, and never
  // cross into a mount below (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
  // RESOLVE_NO_XDEV). No walk can do that safely, so without openat2 this
  // fails with ENOSYS. Used by the pod's mount setup, where the image's own
  // links are meant to resolve.
  InRoot,
};

// openat(dirfd, relative, flags, mode) under `rule`: the descriptor, or -1
// with errno set. Async-signal-safe (no allocation): the pod's mount setup
// calls it after clone.
int open_beneath_fd(int dirfd, const char* relative, int flags, BeneathRule rule, mode_t mode = 0) noexcept;

// The same, owned.
UniqueFd open_beneath(int dirfd, const std::string& relative, int flags,
                      BeneathRule rule = BeneathRule::NoSymlinks);

// BeneathRule::NoSymlinks without openat2: what open_beneath_fd falls back
// to, public so the tests check that it keeps the same rule on kernels that
// have openat2.
int open_beneath_walk(int dirfd, const char* relative, int flags, mode_t mode = 0) noexcept;

// Where open_dir_beneath stopped.
struct BeneathWalkFailure {
  std::size_t component = 0;  // index into `parts` of the one that failed
  bool making = false;        // mkdirat failed (else opening it did)
};

// The directory parts[0]/.../parts[n-1] below `dirfd`, each component opened
// on its own with O_NOFOLLOW, and made (mode 0755) when missing if `create`:
// writers need the missing directories made, which one openat2 cannot do.
// Invalid on failure, with errno set: ELOOP when the component is a
// symbolic link, ENOTDIR when it is something else, EXDEV for a part that is
// empty, ".." or contains '/'; `failure` (when given) says which.
UniqueFd open_dir_beneath(int dirfd, std::span<const std::string> parts, bool create,
                          BeneathWalkFailure* failure = nullptr);

}  // namespace clnrm
