#include "cli/skipped_files.h"

#include <clnrm/control_characters.h>
#include <fmt/format.h>

#include <map>
#include <set>

namespace clnrm::cli {

void report_skipped(std::FILE* out, const std::vector<SkippedFile>& skipped, bool verbose) {
  std::map<std::string, std::size_t> failing;  // directory -> test files skipped under it
  std::size_t others = 0;
  for (const SkippedFile& s : skipped) {
    const std::string path = escape_control_characters(s.path);
    switch (s.why) {
      case SkippedFile::Why::FailingDirectory:
        ++failing[s.directory];  // failing_directory_below (clnrm/parser.h)
        break;
      case SkippedFile::Why::SymbolicLink:
        std::fprintf(out,
                     "clnrm: skipped %s: a symbolic link (links found in a directory are "
                     "not followed; name the file itself to run it)\n",
                     path.c_str());
        break;
      case SkippedFile::Why::NotATestFile:
        if (s.path.ends_with(".toml"))
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
