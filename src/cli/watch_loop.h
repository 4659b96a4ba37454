#pragma once
// clnrm run --watch DIR (docs/running-tests.md, "Watch mode"): a first run of
// every selected test, then, on each batch of changes under the watched
// trees, a run of the affected test files only. SIGINT/SIGTERM end it: a run
// in progress is cancelled as a plain `clnrm run` is (its cleanrooms torn
// down), and the exit code is 130. Otherwise (every watched directory
// removed) the exit code is the last run's.
//
// The parts: DirectoryWatch (inotify), ChangeBatch (debounce),
// affected_tests (clnrm/affected_tests.h: which files rerun), WatchVerdicts
// (what changed verdict). run_command.cpp only supplies how one run is made.

#include <clnrm/cancel.h>
#include <clnrm/result.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace clnrm::cli {

// What one run of some test files gave.
struct WatchRun {
  int exit_code = 0;
  RunResult run;                           // empty when nothing ran (an invalid file, say)
  std::vector<std::string> files_written;  // report files it wrote: not changes to react to
};

// Runs `paths` (the first run: the test paths; then the affected test
// files), printing the run's own text (results, summary), cancelled through
// `cancel`.
using RunFiles =
    std::function<WatchRun(const std::vector<std::string>& paths, CancelToken& cancel)>;

struct WatchRequest {
  std::vector<std::string> roots;       // --watch DIR...: watched with everything below
  std::vector<std::string> test_paths;  // what the tests are chosen from (clnrm run's PATHs)
  bool include_failing = false;
  // Files the runs write (report paths, the history database): a change to
  // them is not a reason to rerun. A directory stands for everything below.
  std::vector<std::string> own_outputs;
  std::FILE* out = stdout;  // the watch's lines (beside the console lines)
  bool announce_signals = true;
};

int watch_and_rerun(const WatchRequest& request, const RunFiles& run_files);

}  // namespace clnrm::cli
