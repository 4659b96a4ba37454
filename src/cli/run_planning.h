#pragma once
// `clnrm run` planning from history: --order, --shard, --rerun-failed. Builds
// the runner's ordering hook (RunOptions::ordering) over the scheduler's pure
// functions (schedule.h) and the history store's medians (history.h).

#include <clnrm/runner.h>

#include <string>

namespace clnrm::cli {

struct PlanningFlags {
  std::string order = "file";  // file | random[:SEED] | history
  std::string shard;           // "K/N"; empty: all tests
  bool rerun_failed = false;   // only the tests that failed in the last complete run
  std::string db;              // history DB
  bool use_history = true;     // false: --no-history
};

// Validates the flags (Error(Usage) for a bad --order / --shard) and returns
// the ordering, or null when plain file order of every test is wanted.
// `note` receives one line for the user (the random seed used, "no history
// yet", a history DB that could not be read).
OrderingFunction make_ordering(const PlanningFlags& flags, std::string& note);

}  // namespace clnrm::cli
