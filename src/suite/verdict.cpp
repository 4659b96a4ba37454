#include "suite/verdict.h"

namespace clnrm {

int exit_code(SuiteVerdict verdict) noexcept {
  switch (verdict) {
    case SuiteVerdict::Passed:
      return 0;
    case SuiteVerdict::Failed:
      return 1;
    case SuiteVerdict::InvalidInput:
      return 2;
    case SuiteVerdict::Interrupted:
      return 130;
  }
  return 1;
}

namespace suite {

SuiteVerdict decide_verdict(const RunResult& run, const VerdictFacts& facts) noexcept {
  if (facts.cancelled) return SuiteVerdict::Interrupted;
  if (facts.invalid_files) return SuiteVerdict::InvalidInput;
  if (facts.determinism_failed || facts.outputs_failed || run.exit_code() != 0)
    return SuiteVerdict::Failed;
  return SuiteVerdict::Passed;
}

}  // namespace suite
}  // namespace clnrm
