#pragma once
// `--check-determinism`: turning the comparison of a test's repeats into
// results, so the console, JSON, JUnit and history agree with the exit code.
// A test whose repeats differ is counted as ONE failure (one repeat's result
// becomes failed), never once per differing repeat.

#include <clnrm/determinism.h>
#include <clnrm/result.h>

#include <string>
#include <vector>

namespace clnrm {

struct DeterminismVerdict {
  std::size_t counted = 0;    // index into RunResult::tests of the failed repeat
  bool newly_failed = false;  // false: that repeat had failed by itself already
  int repeats = 0;
  std::vector<std::string> differences;  // StepDifference::describe(), in order
};

// For every report that is not deterministic: when no repeat of that test
// failed by itself, the first differing repeat is marked failed (message
// "not deterministic: <first difference>"); either way the counted repeat
// gets a failed "deterministic" assertion listing every difference.
std::vector<DeterminismVerdict> apply_determinism_verdicts(
    RunResult& run, const std::vector<DeterminismReport>& reports);

}  // namespace clnrm
