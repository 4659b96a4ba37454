#pragma once
// Reporters read results (result.h) and never call back into the runner.
// - ConsoleReporter: one line per test as it finishes, failure details, a summary.
// - run_result_to_json: the whole RunResult, field names documented in docs/report-json.md.
// - run_result_to_junit: JUnit XML for GitLab / Jenkins / GitHub test reporters.

#include <clnrm/result.h>

#include <cstdio>
#include <functional>
#include <string>

namespace clnrm {

enum class Verbosity { Quiet, Normal, Verbose };

// True when `stream` is a terminal and NO_COLOR is unset or empty.
bool colour_wanted(std::FILE* stream);

class ConsoleReporter {
 public:
  ConsoleReporter(std::FILE* out, bool colour, Verbosity verbosity)
      : out_(out), colour_(colour), verbosity_(verbosity) {}
  // One line ("PASS  name  (1.234s)"), then why it failed.
  void test_finished(const TestResult& test);
  // Counts per status and the total wall time.
  void summary(const RunResult& run);

 private:
  std::string paint(std::string_view text, const char* sgr) const;
  std::FILE* out_;
  bool colour_;
  Verbosity verbosity_;
};

// `include_output`: put each step's stdout/stderr into the JSON.
std::string run_result_to_json(const RunResult& run, bool include_output = true);
std::string run_result_to_junit(const RunResult& run);

// XML 1.0 text/attribute escaping; drops characters XML cannot carry and
// replaces invalid UTF-8 with U+FFFD.
std::string xml_escape(std::string_view text);

// A copy of `run` with only the tests for which `keep` is true.
RunResult filter_tests(const RunResult& run, const std::function<bool(const TestResult&)>& keep);

// Writes `content` to `path` (creating parent directories). Throws Error(Io).
void write_report_file(const std::string& path, const std::string& content);

}  // namespace clnrm

namespace clnrm {
// "2026-11-29T02:50:08.123Z" (UTC, milliseconds); empty for the epoch (never set).
std::string format_rfc3339(SystemTime t);
}  // namespace clnrm
