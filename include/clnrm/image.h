#pragma once
// OCI images for the sandbox backend: a reference resolved to verified,
// unpacked layers in a content-addressed store, plus the image's config.
// The sandbox stacks the layers (overlayfs, lowest first) as a service's or
// step's root; the docker backend never uses this (the engine has its own).
//
// Implemented in src/image/ (the store, the sources, the unpacker).

#include <string>
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

}  // namespace clnrm
