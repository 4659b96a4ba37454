#include <clnrm/assertions.h>
#include <clnrm/output_tail.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm {
namespace {

std::string shown_output(std::string_view label, std::string_view text) {
  if (text.empty()) return fmt::format("\n  actual {}: (empty)", label);
  return fmt::format("\n  actual {} (tail):\n{}", label, indent_lines(output_tail(text), "    | "));
}

std::string header(const StepSpec& step) { return step_header(step); }

void check_pattern(const StepSpec& step, const char* name, const std::optional<Pattern>& pattern,
                   bool negated, std::string_view label, std::string_view text,
                   std::vector<AssertionResult>& out) {
  if (!pattern) return;
  const bool matched = output_matches(*pattern, text);
  AssertionResult& a = out.emplace_back();
  a.name = name;
  a.passed = matched != negated;
  if (a.passed) return;
  a.message = negated ? fmt::format("{}: {} matched /{}/, which it must not{}", header(step), label,
                                    pattern->source, shown_output(label, text))
                      : fmt::format("{}: {} did not match /{}/{}", header(step), label,
                                    pattern->source, shown_output(label, text));
}

}  // namespace

std::string step_header(const StepSpec& step) {
  return fmt::format("step '{}' ([{}])", step.name, fmt::join(step.command, " "));
}

bool output_matches(const Pattern& pattern, std::string_view text) {
  if (pattern.search(text)) return true;
  // Commands end their output with a newline; `^hello$` should match "hello\n"
  // (RE2's `$` is end of text unless (?m) is set).
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return pattern.search(text);
  }
  return false;
}

std::string describe_failed_checks(const StepSpec& step, const ExecResult& exec,
                                   const std::vector<AssertionResult>& checks) {
  std::vector<const AssertionResult*> failed;
  for (const AssertionResult& a : checks)
    if (!a.passed) failed.push_back(&a);
  if (failed.empty()) return {};
  if (failed.size() == 1) return failed.front()->message;
  // Several: every claim (expected vs actual) on a line of its own, then
  // each output stream they concern once, not once per check.
  const std::string head = header(step);
  std::string names, claims;
  bool shows_stdout = false, shows_stderr = false;
  for (const AssertionResult* a : failed) {
    names += names.empty() ? a->name : ", " + a->name;
    const std::size_t eol = a->message.find('\n');
    std::string_view claim = std::string_view(a->message).substr(0, eol);
    if (claim.starts_with(head)) claim.remove_prefix(head.size());
    while (!claim.empty() && (claim.front() == ':' || claim.front() == ' ')) claim.remove_prefix(1);
    claims += fmt::format("\n  - {}: {}", a->name, claim);
    const bool exit = a->name == "exit_code";
    const bool on_stdout = exit || a->name.starts_with("expected_output_regex");
    const bool on_stderr = exit || a->name.starts_with("expected_stderr_regex");
    shows_stdout |= on_stdout;
    shows_stderr |= on_stderr;
    // A check whose details are not an output tail (a golden file's first
    // difference) keeps them, under its claim.
    if (!on_stdout && !on_stderr && eol != std::string::npos)
      claims += "\n" + indent_lines(std::string_view(a->message).substr(eol + 1), "  ");
  }
  std::string text =
      fmt::format("{} failed {} checks ({}):{}", head, failed.size(), names, claims);
  if (shows_stdout) text += shown_output("stdout", exec.stdout_data);
  if (shows_stderr) text += shown_output("stderr", exec.stderr_data);
  if (exec.oom_killed) text += "\n  (the kernel's OOM killer ended it: raise [limits] memory_mb)";
  return text;
}

bool check_step(const StepSpec& step, const ExecResult& exec, std::vector<AssertionResult>& out) {
  const std::size_t first = out.size();
  {
    AssertionResult& a = out.emplace_back();
    a.name = "exit_code";
    a.passed = exec.exit_code == step.expected_exit_code;
    if (!a.passed) {
      std::string how =
          exec.timed_out ? fmt::format("was killed by its timeout (exit {})", exec.exit_code)
          : exec.term_signal != 0
              ? fmt::format("was killed by signal {} (exit {})", exec.term_signal, exec.exit_code)
              : fmt::format("exited {}", exec.exit_code);
      a.message = fmt::format("{} {}, expected exit code {}{}{}", header(step), how,
                              step.expected_exit_code, shown_output("stdout", exec.stdout_data),
                              shown_output("stderr", exec.stderr_data));
      if (exec.oom_killed)
        a.message += "\n  (the kernel's OOM killer ended it: raise [limits] memory_mb)";
    }
  }
  check_pattern(step, "expected_output_regex", step.expected_output_regex, false, "stdout",
                exec.stdout_data, out);
  check_pattern(step, "expected_output_regex_not", step.expected_output_regex_not, true, "stdout",
                exec.stdout_data, out);
  check_pattern(step, "expected_stderr_regex", step.expected_stderr_regex, false, "stderr",
                exec.stderr_data, out);
  check_pattern(step, "expected_stderr_regex_not", step.expected_stderr_regex_not, true, "stderr",
                exec.stderr_data, out);
  for (std::size_t i = first; i < out.size(); ++i)
    if (!out[i].passed) return false;
  return true;
}

}  // namespace clnrm
