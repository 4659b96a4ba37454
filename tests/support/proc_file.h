#pragma once
// Reading a file whole in a test, where the file may be a /proc/PID file of
// a process that exits meanwhile: the read then fails with ESRCH, which
// libstdc++'s filebuf throws as std::ios_base::failure whatever the
// stream's exception mask. A scan of processes must take that as "gone",
// not fail the test.

#include <fstream>
#include <ios>
#include <iterator>
#include <string>

namespace clnrm::testing {

// The file's bytes; "" when it cannot be opened or read.
inline std::string read_file_or_empty(const std::string& path) {
  try {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    return {};
  }
}

}  // namespace clnrm::testing
