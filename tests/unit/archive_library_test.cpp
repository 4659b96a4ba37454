// libarchive opened at run time (src/image/archive_library.cpp): the real
// library loads with every function, and a missing one is an error that
// names the library and the Debian package.
#include "image/archive_library.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

namespace clnrm::image {
namespace {

TEST(ArchiveLibrary, LoadsEveryFunction) {
  const ArchiveLibrary& lib = archive_library();
  EXPECT_NE(lib.read_new, nullptr);
  EXPECT_NE(lib.entry_mtime_nsec, nullptr);
  archive* a = lib.read_new();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(lib.support_format_tar(a), ARCHIVE_OK);
  ArchiveReadCloser{}(a);
}

TEST(ArchiveLibrary, AMissingLibraryIsAnErrorNamingItAndThePackage) {
  ArchiveLibrary lib;
  const std::string problem = load_archive_library("libarchive-not-there.so.13", lib);
  EXPECT_NE(problem.find("libarchive-not-there.so.13"), std::string::npos) << problem;
  EXPECT_EQ(lib.read_new, nullptr);
  const std::string message = archive_library_error(problem);
  EXPECT_NE(message.find("cannot load libarchive (" + problem + ")"), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install libarchive13"), std::string::npos) << message;
}

TEST(ArchiveLibrary, ALibraryWithoutTheFunctionsIsRefused) {
  ArchiveLibrary lib;
  // libc is loaded in every process and has none of libarchive's functions.
  const std::string problem = load_archive_library("libc.so.6", lib);
  EXPECT_EQ(problem, "libc.so.6 has no archive_read_new (libarchive older than 3.3?)");
}

}  // namespace
}  // namespace clnrm::image
