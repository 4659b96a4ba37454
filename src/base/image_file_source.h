#pragma once
// An image reference that names a file (docs/images.md, "Where images come
// from"): `oci:<dir>[:tag]`, `oci-archive:<file>[:tag]`,
// `docker-archive:<file>[:name:tag]`. It lives in src/base, below the image
// store and the parser, so the parser can check a test file's image files
// exist (src/spec/services_reader.cpp) with the same reading the store
// resolves them with (src/image/reference.h includes this header).

#include <optional>
#include <string>
#include <string_view>

namespace clnrm::image {

struct FileSource {
  enum class Kind { OciLayout, OciArchive, DockerArchive };
  Kind kind;
  std::string path;  // as written
  std::string tag;   // oci: / oci-archive: ":tag", docker-archive: ":name:tag" (RepoTags); may be empty
};
// nullopt when `reference` is not a file source (no oci:, oci-archive:,
// docker-archive: prefix).
std::optional<FileSource> parse_file_source(std::string_view reference);
std::string_view to_string(FileSource::Kind kind) noexcept;

}  // namespace clnrm::image
