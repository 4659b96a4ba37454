#pragma once
// Internal to src/image: images read from files — an OCI image layout
// directory, an OCI archive (that layout as a tar) and a docker-archive
// (`docker save`; also what the engine's GET /images/{name}/get streams).
// Each copies the image's blobs into the store, verified, and returns the
// digest of the image's manifest there.

#include <string>

#include "image/reference.h"
#include "image/store.h"

namespace clnrm::image {

// `path` must already be checked (resolve_file_path). `tag` may be empty: the
// layout's only image, or the one tagged "latest".
std::string import_oci_layout(const Store& store, const std::string& path, const std::string& tag);
// `name_tag` selects by RepoTags in a docker-archive holding several images.
std::string import_archive(const Store& store, const std::string& path, FileSource::Kind kind,
                           const std::string& name_tag, const std::string& what);

// The absolute path a file source names. With `base_dir` (a test file's
// directory): the host-path rule of every path a test file names
// (resolve_host_path, src/base/host_path.h: relative, no '..',
// inside it once symbolic links are resolved, a regular file or directory,
// never /proc, /sys, /dev, /run); otherwise relative to the working
// directory. Throws Error(Config) saying which rule failed.
std::string resolve_file_path(const std::string& path, const std::string& base_dir, const std::string& reference);

}  // namespace clnrm::image
