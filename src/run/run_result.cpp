#include <clnrm/result.h>

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

}  // namespace clnrm
