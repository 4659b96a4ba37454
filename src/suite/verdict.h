#pragma once
// The verdict of a run that ran, from what the run and its aftermath found.

#include <clnrm/result.h>
#include <clnrm/suite.h>

namespace clnrm::suite {

struct VerdictFacts {
  bool cancelled = false;           // the run was interrupted
  bool invalid_files = false;       // keep_going ran the valid files beside invalid ones
  bool determinism_failed = false;  // repeats of a test differ
  bool outputs_failed = false;      // an output could not be written
};

// Interrupted over invalid input over failed: an invalid file is a
// configuration error even when the valid tests passed, and an output that
// could not be written fails the run whatever the tests did.
SuiteVerdict decide_verdict(const RunResult& run, const VerdictFacts& facts) noexcept;

}  // namespace clnrm::suite
