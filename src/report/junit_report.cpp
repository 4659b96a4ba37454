// JUnit XML as GitLab, Jenkins (junit plugin) and GitHub test-reporter
// actions read it: <testsuites> with one <testsuite> per test file and one
// <testcase> per test; <failure> for assertion failures, <error> for tests
// that could not run or timed out, <skipped/>; step transcripts in
// <system-out>/<system-err>. Times in seconds with 3 decimals.
#include <clnrm/output_tail.h>
#include <clnrm/report.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <map>
#include "base/host_name.h"
#include "base/markup_escape.h"

namespace clnrm {
namespace {

constexpr std::size_t kMaxStreamBytes = 64u << 10;

std::string seconds(std::chrono::nanoseconds d) {
  return fmt::format("{:.3f}", static_cast<double>(d.count()) / 1e9);
}

// "examples/cli/multi_step.clnrm.toml" -> "examples.cli.multi_step": a
// Java-like class name is what Jenkins groups by.
std::string class_name(const std::string& file) {
  std::string s = file;
  for (std::string_view suffix : {".clnrm.toml", ".toml"}) {
    if (s.size() > suffix.size() &&
        s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
      s.resize(s.size() - suffix.size());
      break;
    }
  }
  while (s.rfind("./", 0) == 0) s.erase(0, 2);
  for (char& c : s)
    if (c == '/') c = '.';
  return s.empty() ? "clnrm" : s;
}

std::string capped(std::string_view text) {
  if (text.size() <= kMaxStreamBytes) return std::string(text);
  return fmt::format("[... {} bytes cut ...]\n{}", text.size() - kMaxStreamBytes,
                     text.substr(text.size() - kMaxStreamBytes));
}

void write_testcase(std::string& x, const TestResult& t) {
  x += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{}\"",
                   xml_escape(t.name), xml_escape(class_name(t.file)), xml_escape(t.file),
                   seconds(t.duration));
  std::string out_text, err_text;
  for (const StepResult& s : t.steps) {
    const std::string where = s.scenario.empty() ? s.name : s.scenario + "/" + s.name;
    out_text += fmt::format("== step {} [{}]: {} (exit {}, {})\n", where, fmt::join(s.command, " "),
                            to_string(s.status), s.exec.exit_code, format_duration(s.duration));
    out_text += capped(s.exec.stdout_data);
    if (!s.exec.stdout_data.empty() && s.exec.stdout_data.back() != '\n') out_text += '\n';
    if (!s.exec.stderr_data.empty()) {
      err_text += fmt::format("== step {}\n", where);
      err_text += capped(s.exec.stderr_data);
      if (err_text.back() != '\n') err_text += '\n';
    }
  }
  // A failed test's services: the end of their output, where a crash shows.
  if (const std::string logs = service_logs_report(t); !logs.empty()) err_text += logs;
  x += ">\n";
  const bool retried_or_repeated = t.attempts > 1 || t.flaky || t.repeat > 0;
  if (retried_or_repeated || !t.tags.empty()) {
    // CI dashboards read properties: one `tag` per tag of the file, and a
    // flaky pass stays a passed testcase, but says so.
    x += "      <properties>\n";
    for (const std::string& tag : t.tags)
      x += fmt::format("        <property name=\"tag\" value=\"{}\"/>\n", xml_escape(tag));
    if (retried_or_repeated) {
      x += fmt::format("        <property name=\"attempts\" value=\"{}\"/>\n", t.attempts);
      x += fmt::format("        <property name=\"flaky\" value=\"{}\"/>\n",
                       t.flaky ? "true" : "false");
    }
    if (t.repeat > 0)
      x += fmt::format("        <property name=\"repeat\" value=\"{}\"/>\n", t.repeat);
    x += "      </properties>\n";
  }
  if (retried_or_repeated) {
    if (t.flaky && t.status == Status::Passed) out_text = t.message + "\n" + out_text;
    // What each earlier attempt failed with (the kept result is the last one).
    for (const FailedAttempt& a : t.failed_attempts)
      err_text += fmt::format("== attempt {} {}:\n{}\n", a.attempt, to_string(a.status), a.details);
  }
  // The attribute is the message's first line, the title CI tools show (a
  // parser folds an attribute's line breaks into spaces); the element's text
  // has every line.
  const std::string message = xml_escape(std::string_view(t.message).substr(0, t.message.find('\n')));
  switch (t.status) {
    case Status::Passed:
      break;
    case Status::Failed:
      x += fmt::format("      <failure message=\"{}\" type=\"AssertionFailed\">{}</failure>\n",
                       message, xml_escape(failure_details(t)));
      break;
    case Status::Error:
    case Status::TimedOut:
    case Status::Cancelled: {
      const char* type = t.status == Status::TimedOut    ? "Timeout"
                         : t.status == Status::Cancelled ? "Cancelled"
                                                         : "Error";
      x += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n", message, type,
                       xml_escape(failure_details(t)));
      break;
    }
    case Status::Skipped:
      x += fmt::format("      <skipped message=\"{}\"/>\n", message);
      break;
  }
  if (!out_text.empty())
    x += fmt::format("      <system-out>{}</system-out>\n", xml_escape(out_text));
  if (!err_text.empty())
    x += fmt::format("      <system-err>{}</system-err>\n", xml_escape(err_text));
  x += "    </testcase>\n";
}

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::chrono::nanoseconds time{0};
  void add(const TestResult& t) {
    ++tests;
    time += t.duration;
    if (t.status == Status::Failed)
      ++failures;
    else if (t.status == Status::Skipped)
      ++skipped;
    else if (t.status != Status::Passed)
      ++errors;
  }
};

}  // namespace

std::string run_result_to_junit(const RunResult& run) {
  // Suites in order of first appearance; a suite holds that file's tests.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const TestResult*>> by_file;
  for (const TestResult& t : run.tests) {
    auto [it, inserted] = by_file.try_emplace(t.file);
    if (inserted) files.push_back(t.file);
    it->second.push_back(&t);
  }
  Counts total;
  for (const TestResult& t : run.tests) total.add(t);

  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format(
      "<testsuites name=\"clnrm\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{}\" "
      "timestamp=\"{}\">\n",
      total.tests, total.failures, total.errors, total.skipped, seconds(run.duration),
      xml_escape(format_rfc3339(run.started)));
  const std::string host = xml_escape(host_name("localhost"));
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& tests = by_file[files[i]];
    Counts c;
    for (const TestResult* t : tests) c.add(*t);
    x += fmt::format(
        "  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "skipped=\"{}\" time=\"{}\" "
        "timestamp=\"{}\" hostname=\"{}\">\n",
        xml_escape(files[i]), i, c.tests, c.failures, c.errors, c.skipped, seconds(c.time),
        xml_escape(format_rfc3339(tests.front()->started)), host);
    x += fmt::format(
        "    <properties>\n      <property name=\"backend\" value=\"{}\"/>\n"
        "      <property name=\"session_id\" value=\"{}\"/>\n    </properties>\n",
        xml_escape(run.backend), xml_escape(run.session_id));
    for (const TestResult* t : tests) write_testcase(x, *t);
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

}  // namespace clnrm
