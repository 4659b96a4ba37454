#include <clnrm/output_tail.h>
#include <clnrm/result.h>
#include <fmt/format.h>

#include <algorithm>

namespace clnrm {

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::Passed: return "passed";
    case Status::Failed: return "failed";
    case Status::Error: return "error";
    case Status::TimedOut: return "timed_out";
    case Status::Skipped: return "skipped";
    case Status::Cancelled: return "cancelled";
  }
  return "unknown";
}

std::size_t RunResult::count(Status s) const {
  return static_cast<std::size_t>(std::count_if(tests.begin(), tests.end(), [s](const TestResult& t) { return t.status == s; }));
}

bool RunResult::all_passed() const {
  return std::all_of(tests.begin(), tests.end(), [](const TestResult& t) { return t.status == Status::Passed; });
}

int RunResult::exit_code() const { return all_passed() ? 0 : 1; }

std::string failure_details(const TestResult& t) {
  std::string out;
  auto add = [&](const std::string& m) {
    if (m.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += m;
  };
  for (const ServiceResult& s : t.services) add(s.message);
  for (const StepResult& s : t.steps)
    if (s.status != Status::Passed && s.status != Status::Skipped) add(s.message);
  for (const AssertionResult& a : t.assertions)
    if (!a.passed) add("[assertions] " + a.message);
  if (out.empty()) out = t.message;
  return out;
}

std::string service_log_report(const ServiceResult& s) {
  if (!s.log_captured || !s.message.empty()) return {};
  const std::string who =
      s.state.empty() ? fmt::format("service '{}'", s.name)
                      : fmt::format("service '{}' ({})", s.name, s.state);
  if (s.log_tail.empty()) return who + " wrote no output";
  return fmt::format("{}, the end of its output:\n{}", who, indent_lines(s.log_tail, "  | "));
}

std::string service_logs_report(const TestResult& t) {
  std::string out;
  for (const ServiceResult& s : t.services) {
    const std::string one = service_log_report(s);
    if (one.empty()) continue;
    if (!out.empty()) out += "\n";
    out += one + "\n";
  }
  return out;
}

}  // namespace clnrm
