#pragma once
// Reporters read results (result.h) and never call back into the runner.
// - ConsoleReporter: one line per test as it finishes ([n/N], flushed at once,
//   so piped output shows progress), failure details, a summary.
// - run_result_to_json: the whole RunResult, field names documented in docs/report-json.md.
// - run_result_to_junit: JUnit XML for GitLab / Jenkins / GitHub test reporters.

#include <clnrm/result.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

enum class Verbosity { Quiet, Normal, Verbose };

// True when `stream` is a terminal and NO_COLOR is unset or empty.
bool colour_wanted(std::FILE* stream);

class ConsoleReporter {
 public:
  ConsoleReporter(std::FILE* out, bool colour, Verbosity verbosity);
  ~ConsoleReporter();  // stops the progress ticker
  ConsoleReporter(const ConsoleReporter&) = delete;
  ConsoleReporter& operator=(const ConsoleReporter&) = delete;

  // Progress while tests run: `total` results are expected and every result
  // line starts with [n/N]. `live` (the stream is a terminal): a status line
  // naming the running tests is redrawn in place below the results, every
  // second. Otherwise plain lines only, each flushed as it is written: with
  // --verbose a START line per test, and a "still running" line naming the
  // running tests after `quiet_period` without output (CI logs).
  void start_progress(std::size_t total, bool live,
                      std::chrono::milliseconds quiet_period = std::chrono::seconds(30));
  // Ends the status line and the ticker; before any other output follows.
  void stop_progress();
  // A test began on lane `worker` (RunOptions::on_test_started).
  void test_started(std::string_view name, int worker);
  // One line ("[2/5] PASS   name  (1.234s)"), then why it failed, including
  // the end of every service's output.
  void test_finished(const TestResult& test);
  // --check-determinism found `differences` between the repeats of a test;
  // `counted` is the one repeat that now counts as failed.
  void determinism_failed(const TestResult& counted, const std::vector<std::string>& differences,
                          int repeats);
  // Counts per status and the total wall time. `outputs_not_written` report
  // files could not be written: the verdict is then FAILED whatever passed.
  void summary(const RunResult& run, std::size_t outputs_not_written = 0);

 // Defined in src/report/console_progress.h (its state while tests run).
  struct Progress;

 private:
  std::string paint(std::string_view text, const char* sgr) const;
  // Writes `text` (whole lines) above the status line; caller holds mutex_.
  void emit(const std::string& text);
  void redraw_status();  // caller holds mutex_
  void tick();           // ticker thread: status line / "still running"
  std::FILE* out_;
  bool colour_;
  Verbosity verbosity_;
  std::mutex mutex_;
  std::unique_ptr<Progress> progress_;
};

// `include_output`: put each step's stdout/stderr into the JSON.
std::string run_result_to_json(const RunResult& run, bool include_output = true);
std::string run_result_to_junit(const RunResult& run);


// A copy of `run` with only the tests for which `keep` is true.
RunResult filter_tests(const RunResult& run, const std::function<bool(const TestResult&)>& keep);

// Writes `content` to `path` (creating parent directories). Throws Error(Io).
void write_report_file(const std::string& path, const std::string& content);

}  // namespace clnrm

namespace clnrm {
// "2026-11-29T02:50:08.123Z" (UTC, milliseconds); empty for the epoch (never set).
std::string format_rfc3339(SystemTime t);
}  // namespace clnrm
