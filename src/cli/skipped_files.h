#pragma once
// What `clnrm run PATH...` says of the files it did not take: the library
// picks the test files (select_test_files, clnrm/parser.h) and the tests
// (make_test_filter, clnrm/test_filter.h); what a directory holds besides
// the tests run is reported here, never dropped without a word.

#include <clnrm/parser.h>

#include <cstdio>
#include <string>
#include <vector>

namespace clnrm::cli {

// Says what was skipped and why, on `out`: each test file under `failing`
// directories (one line per such directory), each symbolic link and each
// other *.toml file by name, and the count of other files (each by name when
// `verbose`).
void report_skipped(std::FILE* out, const std::vector<SkippedFile>& skipped, bool verbose);

}  // namespace clnrm::cli
