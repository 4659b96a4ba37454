// Tests that fail on purpose live under directories named `failing`.
#include <filesystem>

#include "cli/test_selection.h"

namespace clnrm::cli {

bool under_failing_directory(const std::string& root, const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path rel = fs::path(file).lexically_relative(fs::path(root));
  const fs::path base = rel.empty() || *rel.begin() == ".." ? fs::path(file) : rel;
  // Every component but the last (the file name) is a directory.
  auto it = base.begin();
  auto end = base.end();
  if (it == end) return false;
  --end;
  for (; it != end; ++it)
    if (*it == "failing") return true;
  return false;
}

}  // namespace clnrm::cli
