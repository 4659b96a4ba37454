#pragma once
// The one scratch directory of the test suites: made by mkdtemp(3) under
// $TMPDIR (else /tmp), removed with everything in it when the scope ends,
// also after a failed ASSERT (gtest returns from the test body). Fixtures
// that need more (a tree of files, sockets, a tmpfs) hold one of these.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace clnrm::testing {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "clnrm-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = std::move(pattern);
  }
  ~TempDir() {
    std::error_code ignored;  // a test that chmod'ed or mounted inside cleans up itself
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `relative` inside (nothing is made).
  std::string file(std::string_view relative) const { return path_ + "/" + std::string(relative); }
  // Writes `text` to `relative`, making its parent directories; returns the path.
  std::string write(std::string_view relative, std::string_view text) const {
    const std::string p = file(relative);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // The whole content of `relative` ("" when it does not exist).
  std::string read(std::string_view relative) const {
    std::ifstream in(file(relative), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string path_;
};

}  // namespace clnrm::testing
