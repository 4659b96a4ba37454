#include <clnrm/determinism_verdict.h>
#include <fmt/format.h>

#include <optional>

namespace clnrm {

std::vector<DeterminismVerdict> apply_determinism_verdicts(
    RunResult& run, const std::vector<DeterminismReport>& reports) {
  std::vector<DeterminismVerdict> verdicts;
  for (const DeterminismReport& report : reports) {
    if (report.deterministic || report.differences.empty()) continue;
    DeterminismVerdict v;
    v.repeats = report.repeats;
    for (const StepDifference& d : report.differences) v.differences.push_back(d.describe());
    std::optional<std::size_t> already_failed, first_differing;
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
      const TestResult& t = run.tests[i];
      if (t.file != report.file || t.name != report.test) continue;
      if (!already_failed && is_failure(t.status)) already_failed = i;
      if (!first_differing && t.repeat == report.differences.front().repeat_b) first_differing = i;
    }
    if (!already_failed && !first_differing) continue;  // not in this run (cannot happen)
    v.counted = already_failed ? *already_failed : *first_differing;
    v.newly_failed = !already_failed;
    TestResult& counted = run.tests[v.counted];
    std::string all;
    for (const std::string& d : v.differences) all += (all.empty() ? "" : "\n") + d;
    counted.assertions.push_back({"deterministic", false, "not deterministic: " + all});
    if (v.newly_failed) {
      counted.status = Status::Failed;
      counted.message = "not deterministic: " + v.differences.front();
      if (v.differences.size() > 1)
        counted.message += fmt::format(" (and {} more differences)", v.differences.size() - 1);
    }
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

}  // namespace clnrm
