#pragma once
// Which test files `clnrm run PATH...` runs. Files under a directory named
// `failing` (below a directory given on the command line) are left out:
// they are tests that fail on purpose (examples/failing/, used by e2e
// tests). Naming such a file or directory explicitly, or
// --include-failing, runs them. What a directory holds besides the tests run
// is reported (report_skipped), never dropped without a word.

#include <clnrm/parser.h>

#include <cstdio>
#include <string>
#include <vector>

namespace clnrm::cli {

// True when `file`, found under directory `root`, lies in a directory named
// "failing" below `root` (the root itself does not count).
bool under_failing_directory(const std::string& root, const std::string& file);

// discover_test_files over each path, minus the `failing` ones, in path
// order, without duplicates. Throws Error(Usage) for a missing path.
// `skipped`, when given, receives every other file found in the directories.
std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing,
                                           std::vector<SkippedFile>* skipped = nullptr);

// Says what was skipped and why, on `out`: each test file under `failing`
// directories (one line per such directory), each symbolic link and each
// other *.toml file by name, and the count of other files (each by name when
// `verbose`).
void report_skipped(std::FILE* out, const std::vector<SkippedFile>& skipped, bool verbose);

}  // namespace clnrm::cli
