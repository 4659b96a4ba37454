#pragma once
// What clnrm run --watch remembers between runs: each test's last verdict,
// so a rerun's summary says which tests went from passing to failing and
// back (docs/running-tests.md, "Watch mode"), and the watch's own lines.

#include <clnrm/result.h>

#include <map>
#include <string>
#include <vector>

namespace clnrm::cli {

struct VerdictChange {
  std::string file;
  std::string name;
  bool passes_now = false;  // false: passed before, fails now; true: the reverse
};

class WatchVerdicts {
 public:
  // Records every test of `run` (repeats of a test count as one: failed when
  // any failed); returns the tests whose verdict flipped since they last
  // ran, in the order of `run`. Skipped results change nothing.
  std::vector<VerdictChange> record(const RunResult& run);
  // A test file that was deleted: its tests are forgotten.
  void forget_file(const std::string& file);

 private:
  std::map<std::pair<std::string, std::string>, bool> passed_;  // (file, name) -> passed
};

// "changed verdict: login passed -> failed, logout failed -> passed", or
// "no verdict changed"; a name shared by two files is shown with its file.
std::string describe_changes(const std::vector<VerdictChange>& changes);

// "a.clnrm.toml, b.json and 3 more": at most `shown` paths, in order.
std::string list_paths(const std::vector<std::string>& paths, std::size_t shown = 5);

}  // namespace clnrm::cli
