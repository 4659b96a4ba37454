// libarchive opened with dlopen on first use (src/image/archive_library.h says why).
#include "image/archive_library.h"

#include <clnrm/error.h>
#include <dlfcn.h>

namespace clnrm::image {
namespace {

// The soname of libarchive's ABI 13 (every libarchive since 3.0, 2011).
constexpr const char* kArchiveSoname = "libarchive.so.13";

template <class Function>
void look_up(void* handle, const char* name, Function& slot, std::string& missing) {
  slot = reinterpret_cast<Function>(::dlsym(handle, name));
  if (slot == nullptr && missing.empty()) missing = name;
}

struct Loaded {
  ArchiveLibrary library;
  std::string problem;  // "" when loaded
};

}  // namespace

std::string load_archive_library(const char* soname, ArchiveLibrary& out) {
  // RTLD_LOCAL: its symbols serve only these pointers. Never closed: a
  // reader may be in use on another thread until the process exits.
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    return reason ? reason : std::string(soname) + ": cannot be opened";
  }
  ArchiveLibrary lib;
  std::string missing;
  look_up(handle, "archive_read_new", lib.read_new, missing);
  look_up(handle, "archive_read_free", lib.read_free, missing);
  look_up(handle, "archive_read_support_filter_gzip", lib.support_filter_gzip, missing);
  look_up(handle, "archive_read_support_filter_zstd", lib.support_filter_zstd, missing);
  look_up(handle, "archive_read_support_filter_xz", lib.support_filter_xz, missing);
  look_up(handle, "archive_read_support_filter_bzip2", lib.support_filter_bzip2, missing);
  look_up(handle, "archive_read_support_format_tar", lib.support_format_tar, missing);
  look_up(handle, "archive_read_support_format_empty", lib.support_format_empty, missing);
  look_up(handle, "archive_read_open_fd", lib.open_fd, missing);
  look_up(handle, "archive_read_open_filename", lib.open_filename, missing);
  look_up(handle, "archive_read_next_header", lib.next_header, missing);
  look_up(handle, "archive_read_data_block", lib.data_block, missing);
  look_up(handle, "archive_read_data_skip", lib.data_skip, missing);
  look_up(handle, "archive_error_string", lib.error_string, missing);
  look_up(handle, "archive_entry_pathname", lib.entry_pathname, missing);
  look_up(handle, "archive_entry_filetype", lib.entry_filetype, missing);
  look_up(handle, "archive_entry_symlink", lib.entry_symlink, missing);
  look_up(handle, "archive_entry_hardlink", lib.entry_hardlink, missing);
  look_up(handle, "archive_entry_size", lib.entry_size, missing);
  look_up(handle, "archive_entry_size_is_set", lib.entry_size_is_set, missing);
  look_up(handle, "archive_entry_rdevmajor", lib.entry_rdevmajor, missing);
  look_up(handle, "archive_entry_rdevminor", lib.entry_rdevminor, missing);
  look_up(handle, "archive_entry_uid", lib.entry_uid, missing);
  look_up(handle, "archive_entry_gid", lib.entry_gid, missing);
  look_up(handle, "archive_entry_perm", lib.entry_perm, missing);
  look_up(handle, "archive_entry_mtime", lib.entry_mtime, missing);
  look_up(handle, "archive_entry_mtime_nsec", lib.entry_mtime_nsec, missing);
  if (!missing.empty()) {
    ::dlclose(handle);  // nothing of it has run yet
    return std::string(soname) + " has no " + missing + " (libarchive older than 3.3?)";
  }
  out = lib;
  return {};
}

std::string archive_library_error(const std::string& problem) {
  return "cannot load libarchive (" + problem +
         "); images on the sandbox (layers, oci-archive: and docker-archive: files) need it: install libarchive "
         "(Debian: apt-get install libarchive13)";
}

const ArchiveLibrary& archive_library() {
  static const Loaded loaded = [] {
    Loaded l;
    l.problem = load_archive_library(kArchiveSoname, l.library);
    return l;
  }();
  if (!loaded.problem.empty()) throw Error(ErrorKind::NotSupported, archive_library_error(loaded.problem), kArchiveSoname);
  return loaded.library;
}

void ArchiveReadCloser::operator()(archive* a) const noexcept {
  if (a != nullptr) archive_library().read_free(a);
}

}  // namespace clnrm::image
