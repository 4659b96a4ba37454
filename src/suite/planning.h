#pragma once
// Planning from history (SuitePlanning: order, shard, rerun-failed). Builds
// the runner's ordering hook (RunOptions::ordering) over the scheduler's pure
// functions (schedule.h) and the history store's medians (history.h).

#include <clnrm/runner.h>
#include <clnrm/suite.h>

#include <string>

namespace clnrm::suite {

// `history_db` empty: no history. Validates the planning (Error(Usage) for a
// bad order / shard, or one that needs history without it) and returns
// the ordering, or null when plain file order of every test is wanted.
// `note` receives one line for the user (the random seed used, "no history
// yet", a history DB that could not be read).
OrderingFunction make_ordering(const SuitePlanning& planning, const std::string& history_db,
                               std::string& note);

}  // namespace clnrm::suite
