#include <clnrm/control_characters.h>
#include <clnrm/output_tail.h>
#include <clnrm/report.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

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
  const bool bad = is_failure(t.status);
  // A flaky pass is shown even with --quiet: retries must never hide it.
  if (verbosity_ == Verbosity::Quiet && !bad && !(t.flaky && t.status == Status::Passed)) return;
  // A pass after a retry is never shown as a plain pass.
  const bool flaky = t.flaky && t.status == Status::Passed;
  const std::string tag =
      flaky ? paint("FLAKY", kYellow) : paint(label(t.status), colour_of(t.status));
  const std::string name =
      t.repeat > 0 ? fmt::format("{} #{}", one_line(t.name), t.repeat + 1) : one_line(t.name);
  std::string line = fmt::format("{}  {}  {}", tag, name,
                                 paint(fmt::format("({})", format_duration(t.duration)), kDim));
  if (t.attempts > 1) line += paint(fmt::format("  [{} attempts]", t.attempts), kDim);
  if (t.status == Status::Skipped && !t.message.empty())
    line += paint("  " + one_line(t.message), kDim);
  if (flaky && !t.message.empty()) line += "\n" + indented(t.message);
  std::fprintf(out_, "%s\n", line.c_str());

  if (verbosity_ == Verbosity::Verbose) {
    for (const EnforcedLimit& e : t.enforced)
      std::fprintf(out_, "      enforced %s: %s (%s)\n", one_line(e.what).c_str(),
                   one_line(e.value).c_str(), one_line(e.mechanism).c_str());
    for (const ServiceResult& s : t.services)
      std::fprintf(out_, "      service %s (%s) started in %s, ready in %s\n",
                   one_line(s.name).c_str(), one_line(s.plugin).c_str(),
                   format_duration(s.start_duration).c_str(),
                   format_duration(s.ready_duration).c_str());
    for (const StepResult& s : t.steps) {
      const std::string where = one_line(s.scenario.empty() ? s.name : s.scenario + "/" + s.name);
      std::fprintf(out_, "      %s %s (%s, exit %d)\n",
                   paint(label(s.status), colour_of(s.status)).c_str(), where.c_str(),
                   format_duration(s.duration).c_str(), s.exec.exit_code);
    }
  }
  if (!bad) return;
  // Details: the first failure fully (with output tails), then other failing items by message.
  bool detailed = false;
  for (const ServiceResult& s : t.services) {
    if (s.message.empty()) continue;
    std::fprintf(out_, "%s\n", indented(s.message).c_str());
    detailed = true;
  }
  for (const StepResult& s : t.steps) {
    if (s.status == Status::Passed || s.status == Status::Skipped || s.message.empty()) continue;
    std::fprintf(out_, "%s\n", indented(s.message).c_str());
    detailed = true;
  }
  for (const AssertionResult& a : t.assertions) {
    if (a.passed) continue;
    std::fprintf(out_, "%s\n", indented("[assertions] " + a.message).c_str());
    detailed = true;
  }
  if (!detailed && !t.message.empty()) std::fprintf(out_, "%s\n", indented(t.message).c_str());
  std::fflush(out_);
}

void ConsoleReporter::summary(const RunResult& run) {
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
  const char* verdict = run.all_passed() ? "OK" : "FAILED";
  std::fprintf(out_, "\n%s: %zu test%s, %s in %s (backend %s, %d job%s)\n",
               paint(verdict, run.all_passed() ? kGreen : kBold).c_str(), run.tests.size(),
               run.tests.size() == 1 ? "" : "s", parts.c_str(),
               format_duration(run.duration).c_str(), run.backend.c_str(), run.jobs,
               run.jobs == 1 ? "" : "s");
  std::fflush(out_);
}

}  // namespace clnrm
