#pragma once
// An in-memory ustar archive, the body of PUT /containers/{id}/archive.

#include <string>
#include <string_view>

namespace clnrm::docker {

class TarArchive {
 public:
  // `path` relative to the extraction directory ("etc/app.conf"); parent
  // directories are created by the engine. Throws Error(Usage) for names
  // that do not fit ustar (over 255 bytes) or contain "..".
  void add_file(std::string_view path, std::string_view content, unsigned mode = 0644);
  void add_directory(std::string_view path, unsigned mode = 0755);
  // The archive with its two terminating zero blocks.
  std::string finish() const;

 private:
  void add_entry(std::string_view path, std::string_view content, unsigned mode, char type);
  std::string data_;
};

}  // namespace clnrm::docker
