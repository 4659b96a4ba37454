#pragma once
// Which test files `clnrm run PATH...` runs. Files under a directory named
// `failing` (below a directory given on the command line) are left out:
// they are tests that fail on purpose (examples/failing/, used by e2e
// tests). Naming such a file or directory explicitly, or
// --include-failing, runs them.

#include <string>
#include <vector>

namespace clnrm::cli {

// True when `file`, found under directory `root`, lies in a directory named
// "failing" below `root` (the root itself does not count).
bool under_failing_directory(const std::string& root, const std::string& file);

// discover_test_files over each path, minus the `failing` ones, in path
// order, without duplicates. Throws Error(Usage) for a missing path.
std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing);

}  // namespace clnrm::cli
