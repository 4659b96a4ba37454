// TestResult -> rows of `executions`, and small conversions shared by the module.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "history/internal.h"

#include "base/fnv1a.h"

namespace clnrm::history {

std::optional<Status> status_from_text(std::string_view text) noexcept {
  for (Status s : {Status::Passed, Status::Failed, Status::Error, Status::TimedOut, Status::Skipped,
                   Status::Cancelled}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

bool is_outcome(Status s) noexcept { return s != Status::Skipped && s != Status::Cancelled; }

std::int64_t to_unix_ns(SystemTime t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string failure_message_hash(std::string_view message) {
  // Its first line: what failed. The lines under it (output tails, the
  // checks a step failed) vary between runs of the same failure.
  message = message.substr(0, message.find('\n'));
  if (message.empty()) return {};
  // FNV-1a over the message with every run of digits replaced by one '#':
  // durations, ports and pids differ between runs of the same failure.
  std::uint64_t h = kFnv1aOffset;
  bool in_digits = false;
  for (char c : message) {
    const bool digit = c >= '0' && c <= '9';
    if (digit && in_digits) continue;
    const char folded = digit ? '#' : c;
    h = fnv1a_update(h, {&folded, 1});
    in_digits = digit;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<ExecutionRecord> to_records(const TestResult& test) {
  std::vector<ExecutionRecord> rows;
  rows.reserve(1 + test.steps.size());
  ExecutionRecord& t = rows.emplace_back();
  t.file = test.file;
  t.file_hash = test.file_hash;
  t.test = test.name;
  t.status = test.status;
  t.started_ns = to_unix_ns(test.started);
  t.duration_ns = test.duration.count();
  t.attempts = test.attempts;
  t.flaky = test.flaky;
  t.worker = test.worker;
  t.failure_hash = is_failure(test.status) ? failure_message_hash(test.message) : std::string();
  for (const auto& s : test.services) (s.reused ? t.containers_reused : t.containers_created) += 1;
  for (const auto& step : test.steps) {
    t.cpu_user_us += step.exec.usage.user_cpu.count();
    t.cpu_sys_us += step.exec.usage.system_cpu.count();
    t.max_rss_kb = std::max(t.max_rss_kb, step.exec.usage.max_rss_kb);
  }
  for (const auto& step : test.steps) {
    ExecutionRecord& r = rows.emplace_back();
    r.file = test.file;
    r.file_hash = test.file_hash;
    r.test = test.name;
    r.step = step.scenario.empty() ? step.name : step.scenario + "/" + step.name;
    r.status = step.status;
    r.started_ns = to_unix_ns(step.started);
    r.duration_ns = step.duration.count();
    if (step.status != Status::Skipped) r.exit_code = step.exec.exit_code;
    r.cpu_user_us = step.exec.usage.user_cpu.count();
    r.cpu_sys_us = step.exec.usage.system_cpu.count();
    r.max_rss_kb = step.exec.usage.max_rss_kb;
    r.attempts = test.attempts;
    r.worker = test.worker;
    r.failure_hash = is_failure(step.status) ? failure_message_hash(step.message) : std::string();
  }
  // A step name may be empty in a hand-written file; '' is reserved for the test row.
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].step.empty()) rows[i].step = std::string(1, '#').append(std::to_string(i));
  }
  return rows;
}

}  // namespace clnrm::history
