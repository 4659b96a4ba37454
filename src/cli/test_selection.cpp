#include "test_selection.h"

#include <clnrm/parser.h>

#include <filesystem>
#include <set>

namespace clnrm::cli {

std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& path : paths) {
    std::error_code ec;
    const bool is_dir = fs::is_directory(path, ec);
    for (std::string& file : discover_test_files({path})) {
      if (is_dir && !include_failing && under_failing_directory(path, file)) continue;
      if (seen.insert(fs::weakly_canonical(file, ec).string()).second)
        out.push_back(std::move(file));
    }
  }
  return out;
}

}  // namespace clnrm::cli
