// libarchive opened with dlopen on first use (src/image/archive_library.h says why).
#include "image/archive_library.h"

#include <clnrm/error.h>

#include "base/shared_library.h"

namespace clnrm::image {
namespace {

// The soname of libarchive's ABI 13 (every libarchive since 3.0, 2011).
constexpr const char* kArchiveSoname = "libarchive.so.13";

}  // namespace

std::string load_archive_library(const char* soname, ArchiveLibrary& out) {
  SharedLibrary library(soname);
  ArchiveLibrary lib;
  library.look_up("archive_read_new", lib.read_new);
  library.look_up("archive_read_free", lib.read_free);
  library.look_up("archive_read_support_filter_gzip", lib.support_filter_gzip);
  library.look_up("archive_read_support_filter_zstd", lib.support_filter_zstd);
  library.look_up("archive_read_support_filter_xz", lib.support_filter_xz);
  library.look_up("archive_read_support_filter_bzip2", lib.support_filter_bzip2);
  library.look_up("archive_read_support_format_tar", lib.support_format_tar);
  library.look_up("archive_read_support_format_empty", lib.support_format_empty);
  library.look_up("archive_read_open_fd", lib.open_fd);
  library.look_up("archive_read_open_filename", lib.open_filename);
  library.look_up("archive_read_next_header", lib.next_header);
  library.look_up("archive_read_data_block", lib.data_block);
  library.look_up("archive_read_data_skip", lib.data_skip);
  library.look_up("archive_error_string", lib.error_string);
  library.look_up("archive_entry_pathname", lib.entry_pathname);
  library.look_up("archive_entry_filetype", lib.entry_filetype);
  library.look_up("archive_entry_symlink", lib.entry_symlink);
  library.look_up("archive_entry_hardlink", lib.entry_hardlink);
  library.look_up("archive_entry_size", lib.entry_size);
  library.look_up("archive_entry_size_is_set", lib.entry_size_is_set);
  library.look_up("archive_entry_rdevmajor", lib.entry_rdevmajor);
  library.look_up("archive_entry_rdevminor", lib.entry_rdevminor);
  library.look_up("archive_entry_uid", lib.entry_uid);
  library.look_up("archive_entry_gid", lib.entry_gid);
  library.look_up("archive_entry_perm", lib.entry_perm);
  library.look_up("archive_entry_mtime", lib.entry_mtime);
  library.look_up("archive_entry_mtime_nsec", lib.entry_mtime_nsec);
  if (!library.ok()) return library.problem() + (library.opened() ? " (libarchive older than 3.3?)" : "");
  out = lib;
  return {};
}

std::string archive_library_error(const std::string& problem) {
  return "cannot load libarchive (" + problem +
         "); images on the sandbox (layers, oci-archive: and docker-archive: files) need it: install libarchive "
         "(Debian: apt-get install libarchive13)";
}

const ArchiveLibrary& archive_library() {
  return load_once<ArchiveLibrary>(
      kArchiveSoname, [](ArchiveLibrary& lib) { return load_archive_library(kArchiveSoname, lib); }, archive_library_error);
}

void ArchiveReadCloser::operator()(archive* a) const noexcept {
  if (a != nullptr) archive_library().read_free(a);
}

}  // namespace clnrm::image
