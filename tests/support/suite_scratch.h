#pragma once
// A scratch directory for the run_suite tests (tests/unit/suite_test.cpp and
// friends, tests/integration/run_suite_test.cpp), removed with its contents.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace suite_test {

class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/clnrm-suite-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string path(const std::string& relative) const { return (root_ / relative).string(); }
  std::string write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// A valid test file named `name` with one step running `command`.
inline std::string test_file(const std::string& name, const std::string& command = "true",
                             const std::string& extra = "") {
  return "[test.metadata]\nname = \"" + name + "\"\n\n[[steps]]\nname = \"s\"\ncommand = [\"sh\", \"-c\", \"" +
         command + "\"]\n" + extra;
}

}  // namespace suite_test
