#pragma once
// A scratch directory for the run_suite tests (tests/unit/suite_test.cpp and
// friends, tests/integration/run_suite_test.cpp), removed with its contents.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "support/temp_dir.h"

namespace suite_test {

class ScratchDir {
 public:
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }
  std::string write(const std::string& relative, const std::string& text) const {
    return dir_.write(relative, text);
  }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  clnrm::testing::TempDir dir_{"clnrm-suite"};
  std::filesystem::path root_{dir_.path()};
};

// A valid test file named `name` with one step running `command`.
inline std::string test_file(const std::string& name, const std::string& command = "true",
                             const std::string& extra = "") {
  return "[test.metadata]\nname = \"" + name + "\"\n\n[[steps]]\nname = \"s\"\ncommand = [\"sh\", \"-c\", \"" +
         command + "\"]\n" + extra;
}

}  // namespace suite_test
