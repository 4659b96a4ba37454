#pragma once
// The one rule for a host path an untrusted test file names (docs/security.md,
// "Host paths"): relative to the test file's directory, without '..', still
// inside it once symbolic links are resolved, a directory or regular file
// (a socket, device or FIFO is a door to the host), and never the host's
// root, /proc, /sys, /dev or /run. The parser applies it to `rootfs`,
// `volumes` and image files (src/spec/host_paths.h); the image store to
// the oci:/docker-archive: files it opens (src/image/file_sources.cpp).

#include <string>
#include <string_view>

namespace clnrm {

struct HostPathRule {
  std::string_view key;         // for messages: "'rootfs'", "the image file"
  bool directory_only = false;  // rootfs: a directory
  bool allow_test_dir = false;  // "." names the test file's directory itself
};

// `value` against the canonical directory `dir`: either `path` (absolute,
// canonical) or `error` (naming rule.key and value, saying what to do) is set.
struct HostPathResult {
  std::string path;
  std::string error;
};
HostPathResult resolve_host_path(const std::string& dir, const std::string& value, const HostPathRule& rule);

}  // namespace clnrm
