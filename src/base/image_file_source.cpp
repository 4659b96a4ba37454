// Image references that name files (image_file_source.h).
#include "base/image_file_source.h"

namespace clnrm::image {

std::optional<FileSource> parse_file_source(std::string_view reference) {
  struct Prefix {
    std::string_view text;
    FileSource::Kind kind;
  };
  constexpr Prefix kPrefixes[] = {{"oci:", FileSource::Kind::OciLayout},
                                  {"oci-archive:", FileSource::Kind::OciArchive},
                                  {"docker-archive:", FileSource::Kind::DockerArchive}};
  for (const Prefix& p : kPrefixes) {
    if (!reference.starts_with(p.text)) continue;
    std::string_view rest = reference.substr(p.text.size());
    FileSource source{p.kind, std::string(rest), {}};
    // The path ends at the first ':' (paths with ':' are not supported, as in
    // skopeo's transports); what follows is the tag (oci) or the name:tag in
    // the archive's RepoTags (docker-archive).
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
      source.path = std::string(rest.substr(0, colon));
      source.tag = std::string(rest.substr(colon + 1));
    }
    return source;
  }
  return std::nullopt;
}

std::string_view to_string(FileSource::Kind kind) noexcept {
  switch (kind) {
    case FileSource::Kind::OciLayout: return "oci";
    case FileSource::Kind::OciArchive: return "oci-archive";
    case FileSource::Kind::DockerArchive: return "docker-archive";
  }
  return "?";
}

}  // namespace clnrm::image
