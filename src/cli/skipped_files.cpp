#include "cli/skipped_files.h"

#include <clnrm/control_characters.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <set>

namespace clnrm::cli {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The directory named `failing` that holds `file` (the innermost one).
std::string failing_directory_of(const std::string& file) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(file).parent_path();
  for (fs::path p = dir; !p.empty() && p != p.parent_path(); p = p.parent_path())
    if (p.filename() == "failing") return p.string();
  return dir.string();
}

}  // namespace

void report_skipped(std::FILE* out, const std::vector<SkippedFile>& skipped, bool verbose) {
  std::map<std::string, std::size_t> failing;  // directory -> test files skipped under it
  std::size_t others = 0;
  for (const SkippedFile& s : skipped) {
    const std::string path = escape_control_characters(s.path);
    switch (s.why) {
      case SkippedFile::Why::FailingDirectory:
        ++failing[failing_directory_of(s.path)];
        break;
      case SkippedFile::Why::SymbolicLink:
        std::fprintf(out,
                     "clnrm: skipped %s: a symbolic link (links found in a directory are "
                     "not followed; name the file itself to run it)\n",
                     path.c_str());
        break;
      case SkippedFile::Why::NotATestFile:
        if (ends_with(s.path, ".toml"))
          std::fprintf(out, "clnrm: skipped %s: not named *.clnrm.toml\n", path.c_str());
        else if (verbose)
          std::fprintf(out, "clnrm: skipped %s: not named *.clnrm.toml\n", path.c_str());
        else
          ++others;
        break;
    }
  }
  for (const auto& [dir, count] : failing)
    std::fprintf(out,
                 "clnrm: skipped %zu test file%s under %s: a directory named `failing` holds tests "
                 "that fail on purpose (--include-failing, or naming the directory, runs them)\n",
                 count, count == 1 ? "" : "s", escape_control_characters(dir).c_str());
  if (others > 0)
    std::fprintf(out, "clnrm: skipped %zu other file%s (not named *.clnrm.toml; -v lists them)\n",
                 others, others == 1 ? "" : "s");
}

}  // namespace clnrm::cli
