#pragma once
// libarchive, loaded when the first layer or image archive is read, not when
// clnrm starts. libarchive.so.13 brings ~11 shared libraries (libxml2, ICU,
// nettle, lzma, zstd, bz2, acl, ...) that every `clnrm --version` would pay
// the dynamic loader for (issue 17); only the image store reads tars
// (src/image/layer_unpack.cpp, src/image/file_sources.cpp: the users of this
// table). The headers are still libarchive's own: the types and constants
// are compiled in, only the functions are looked up, as
// src/base/curl_library.h does for libcurl.

#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace clnrm::image {

// The libarchive functions src/image/ calls, typed from archive.h.
struct ArchiveLibrary {
  decltype(&::archive_read_new) read_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_support_filter_gzip) support_filter_gzip = nullptr;
  decltype(&::archive_read_support_filter_zstd) support_filter_zstd = nullptr;
  decltype(&::archive_read_support_filter_xz) support_filter_xz = nullptr;
  decltype(&::archive_read_support_filter_bzip2) support_filter_bzip2 = nullptr;
  decltype(&::archive_read_support_format_tar) support_format_tar = nullptr;
  decltype(&::archive_read_support_format_empty) support_format_empty = nullptr;
  decltype(&::archive_read_open_fd) open_fd = nullptr;
  decltype(&::archive_read_open_filename) open_filename = nullptr;
  decltype(&::archive_read_next_header) next_header = nullptr;
  decltype(&::archive_read_data_block) data_block = nullptr;
  decltype(&::archive_read_data_skip) data_skip = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_entry_pathname) entry_pathname = nullptr;
  decltype(&::archive_entry_filetype) entry_filetype = nullptr;
  decltype(&::archive_entry_symlink) entry_symlink = nullptr;
  decltype(&::archive_entry_hardlink) entry_hardlink = nullptr;
  decltype(&::archive_entry_size) entry_size = nullptr;
  decltype(&::archive_entry_size_is_set) entry_size_is_set = nullptr;
  decltype(&::archive_entry_rdevmajor) entry_rdevmajor = nullptr;
  decltype(&::archive_entry_rdevminor) entry_rdevminor = nullptr;
  decltype(&::archive_entry_uid) entry_uid = nullptr;
  decltype(&::archive_entry_gid) entry_gid = nullptr;
  decltype(&::archive_entry_perm) entry_perm = nullptr;
  decltype(&::archive_entry_mtime) entry_mtime = nullptr;
  decltype(&::archive_entry_mtime_nsec) entry_mtime_nsec = nullptr;
};

// The process's libarchive ("libarchive.so.13"), opened once (thread-safe)
// on the first call. Throws Error(NotSupported) naming the library, the
// loader's reason and the Debian package when it cannot be loaded.
const ArchiveLibrary& archive_library();

// Opens `soname` and looks up every function of ArchiveLibrary. Returns ""
// and fills `out`, or the reason it could not (the loader's message, or the
// missing function). archive_library() uses it; it is separate so a test can
// name a library that does not exist.
std::string load_archive_library(const char* soname, ArchiveLibrary& out);

// The archive_library() error for `problem` (what load_archive_library
// returned): one message, so the test checks the one users see.
std::string archive_library_error(const std::string& problem);

// Frees a reader made by archive_library().read_new (for std::unique_ptr).
struct ArchiveReadCloser {
  void operator()(archive* a) const noexcept;
};

}  // namespace clnrm::image
