#include <clnrm/control_characters.h>
#include <clnrm/output_tail.h>
#include <clnrm/report.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "report/console_progress.h"

namespace clnrm {
namespace {

constexpr const char* kGreen = "32";
constexpr const char* kRed = "31";
constexpr const char* kYellow = "33";
constexpr const char* kDim = "2";
constexpr const char* kBold = "1";

const char* label(Status s) {
  switch (s) {
    case Status::Passed:
      return "PASS ";
    case Status::Failed:
      return "FAIL ";
    case Status::Error:
      return "ERROR";
    case Status::TimedOut:
      return "TIME ";
    case Status::Skipped:
      return "SKIP ";
    case Status::Cancelled:
      return "CANCL";
  }
  return "?    ";
}

const char* colour_of(Status s) {
  switch (s) {
    case Status::Passed:
      return kGreen;
    case Status::Skipped:
    case Status::Cancelled:
      return kYellow;
    default:
      return kRed;
  }
}

// Names and messages come from untrusted test files and from the output of
// the programs they run: no control character reaches the terminal raw.
std::string one_line(std::string_view text) { return escape_control_characters(text); }
std::string indented(std::string_view text) {
  return indent_lines(escape_control_characters(text, Newlines::Keep), "      ");
}

}  // namespace

bool colour_wanted(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  return ::isatty(::fileno(stream)) == 1;
}

std::string ConsoleReporter::paint(std::string_view text, const char* sgr) const {
  if (!colour_) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
}

void ConsoleReporter::test_finished(const TestResult& t) {
  std::lock_guard lock(mutex_);
  std::string counter;
  if (progress_) {
    ++progress_->finished;
    const auto it = progress_->running.find(t.worker);
    if (it != progress_->running.end() && it->second.name == one_line(t.name))
      progress_->running.erase(it);
    const std::size_t width = fmt::format("{}", progress_->total).size();
    counter = fmt::format("[{:>{}}/{}] ", progress_->finished, width, progress_->total);
  }
  const bool bad = is_failure(t.status);
  // A flaky pass is shown even with --quiet: retries must never hide it.
  if (verbosity_ == Verbosity::Quiet && !bad && !(t.flaky && t.status == Status::Passed)) {
    if (progress_ && progress_->live) redraw_status();
    return;
  }
  // A pass after a retry is never shown as a plain pass.
  const bool flaky = t.flaky && t.status == Status::Passed;
  const std::string tag =
      flaky ? paint("FLAKY", kYellow) : paint(label(t.status), colour_of(t.status));
  const std::string name =
      t.repeat > 0 ? fmt::format("{} #{}", one_line(t.name), t.repeat + 1) : one_line(t.name);
  std::string text = fmt::format("{}{}  {}  {}", counter, tag, name,
                                 paint(fmt::format("({})", format_duration(t.duration)), kDim));
  if (t.attempts > 1) text += paint(fmt::format("  [{} attempts]", t.attempts), kDim);
  if (t.status == Status::Skipped && !t.message.empty())
    text += paint("  " + one_line(t.message), kDim);
  text += "\n";
  if (flaky && !t.message.empty()) text += indented(t.message) + "\n";

  if (verbosity_ == Verbosity::Verbose) {
    for (const EnforcedLimit& e : t.enforced)
      text += fmt::format("      enforced {}: {} ({})\n", one_line(e.what), one_line(e.value),
                          one_line(e.mechanism));
    for (const ServiceResult& s : t.services)
      text += fmt::format("      service {} ({}) started in {}, ready in {}\n", one_line(s.name),
                          one_line(s.plugin), format_duration(s.start_duration),
                          format_duration(s.ready_duration));
    for (const StepResult& s : t.steps) {
      const std::string where = one_line(s.scenario.empty() ? s.name : s.scenario + "/" + s.name);
      text += fmt::format("      {} {} ({}, exit {})\n", paint(label(s.status), colour_of(s.status)),
                          where, format_duration(s.duration), s.exec.exit_code);
    }
  }
  if (bad) {
    // Details: every failing item with its message (a step's names every
    // failed check), then the end of each service's output.
    bool detailed = false;
    for (const ServiceResult& s : t.services) {
      if (s.message.empty()) continue;
      text += indented(s.message) + "\n";
      detailed = true;
    }
    for (const StepResult& s : t.steps) {
      if (s.status == Status::Passed || s.status == Status::Skipped || s.message.empty()) continue;
      text += indented(s.message) + "\n";
      detailed = true;
    }
    for (const AssertionResult& a : t.assertions) {
      if (a.passed) continue;
      text += indented("[assertions] " + a.message) + "\n";
      detailed = true;
    }
    if (!detailed && !t.message.empty()) text += indented(t.message) + "\n";
    for (const ServiceResult& s : t.services) {
      const std::string logs = service_log_report(s);
      if (!logs.empty()) text += indented(logs) + "\n";
    }
  }
  emit(text);
}

void ConsoleReporter::determinism_failed(const TestResult& counted,
                                         const std::vector<std::string>& differences,
                                         int repeats) {
  std::lock_guard lock(mutex_);
  std::string text = fmt::format(
      "{}  {}  not deterministic over {} repeats; counted as one failure (repeat #{})\n",
      paint("DIFFERS", kRed), one_line(counted.name), repeats, counted.repeat + 1);
  for (const std::string& d : differences) text += indented(d) + "\n";
  emit(text);
}

void ConsoleReporter::summary(const RunResult& run, std::size_t outputs_not_written) {
  std::lock_guard lock(mutex_);
  const std::size_t passed = run.count(Status::Passed);
  const std::size_t failed = run.count(Status::Failed);
  const std::size_t errors = run.count(Status::Error);
  const std::size_t timed_out = run.count(Status::TimedOut);
  const std::size_t skipped = run.count(Status::Skipped);
  const std::size_t cancelled = run.count(Status::Cancelled);
  std::string parts = paint(fmt::format("{} passed", passed), passed ? kGreen : kDim);
  auto add = [&](std::size_t n, const char* what, const char* sgr) {
    if (n) parts += ", " + paint(fmt::format("{} {}", n, what), sgr);
  };
  add(failed, "failed", kRed);
  add(errors, "errors", kRed);
  add(timed_out, "timed out", kRed);
  add(cancelled, "cancelled", kYellow);
  add(skipped, "skipped", kYellow);
  std::size_t flaky = 0;
  for (const TestResult& t : run.tests) flaky += t.flaky && t.status == Status::Passed ? 1 : 0;
  add(flaky, "flaky (passed after a retry; counted as passed)", kYellow);
  add(outputs_not_written, outputs_not_written == 1 ? "report file not written"
                                                    : "report files not written",
      kRed);
  const bool ok = run.all_passed() && outputs_not_written == 0;
  emit(fmt::format("\n{}: {} test{}, {} in {} (backend {}, {} job{})\n",
                   paint(ok ? "OK" : "FAILED", ok ? kGreen : kBold), run.tests.size(),
                   run.tests.size() == 1 ? "" : "s", parts, format_duration(run.duration),
                   run.backend, run.jobs, run.jobs == 1 ? "" : "s"));
}

}  // namespace clnrm
