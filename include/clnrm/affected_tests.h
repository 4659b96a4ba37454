#pragma once
// Which test files a batch of file changes affects (clnrm run --watch,
// docs/running-tests.md "Watch mode"). Pure: the caller says which test
// files existed before the batch and which exist now (the same selection
// `clnrm run` makes) and which paths changed; nothing is read from disk.
//
// The rule, for each changed path:
//   - a test file that exists now: that file;
//   - a test file that existed before and not now (deleted, renamed away),
//     or a directory that held such a file: nothing more, the file is dropped
//     (likewise a directory that brought a new test file: the new file runs);
//   - a file named cleanroom.toml: every test (the project's settings apply
//     to the whole run);
//   - any other file (fixtures, golden files, a file a step reads): every
//     test whose directory contains it, at any depth (a test in tests/ for
//     tests/data/x.json; not a test in tests/other/);
//   - a file that no test's directory contains (the program under test in
//     src/, say): every test, since which test uses it cannot be told.
// A test file that exists now and did not before (new, moved in) runs too.

#include <string>
#include <vector>

namespace clnrm {

struct AffectedTests {
  std::vector<std::string> rerun;    // test files to run, in the order of `now`
  std::vector<std::string> added;    // in `now`, not in `before`
  std::vector<std::string> removed;  // in `before`, not in `now`
  bool all = false;                  // cleanroom.toml, or a change outside every test's directory
};

// Paths are compared as absolute, lexically normal paths (so `tests/a` and
// `./tests/a` are one file); the paths returned are spelled as in `now` and
// `before`.
AffectedTests affected_tests(const std::vector<std::string>& before,
                             const std::vector<std::string>& now,
                             const std::vector<std::string>& changed);

}  // namespace clnrm
