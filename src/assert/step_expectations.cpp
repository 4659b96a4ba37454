// After a step ran: its expect_file, expect_json, expect_http and
// expected_output_file, each one AssertionResult, every one of them checked
// (a failure does not hide the next: describe_failed_checks shows them all).
#include <clnrm/assertions.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include "base/nonce.h"

namespace clnrm {
namespace {

const CancelToken kNeverCancelled;

void record(std::vector<AssertionResult>& out, const StepSpec& step, std::string name,
            std::optional<std::string> mismatch) {
  AssertionResult& a = out.emplace_back();
  a.name = std::move(name);
  a.passed = !mismatch;
  if (mismatch) a.message = fmt::format("{}: {}", step_header(step), *mismatch);
}

}  // namespace

bool check_step_expectations(const StepSpec& step, const ExecResult& exec,
                             const StepSurroundings& where, std::vector<AssertionResult>& out) {
  const std::size_t first = out.size();
  if (!step.expect_file.empty()) {
    // One exec looks at every path (an exec is most of a check's cost).
    const std::string nonce = make_nonce();
    std::vector<std::optional<std::string>> verdicts;
    try {
      verdicts = files_mismatches(step.expect_file, nonce, where.exec(files_probe(step.expect_file, nonce)));
    } catch (const Error& e) {
      for (const FileCheck& check : step.expect_file)
        verdicts.push_back(fmt::format("could not look at {} in the cleanroom: {}", check.path, e.describe()));
    }
    for (std::optional<std::string>& mismatch : verdicts) record(out, step, "expect_file", std::move(mismatch));
  }
  for (const JsonCheck& check : step.expect_json)
    record(out, step, "expect_json", json_mismatch(check, exec.stdout_data, "stdout"));
  for (const HttpCheck& check : step.expect_http) {
    std::optional<std::string> mismatch;
    std::optional<std::chrono::milliseconds> left;
    if (where.deadline)
      left = std::chrono::ceil<std::chrono::milliseconds>(*where.deadline -
                                                          std::chrono::steady_clock::now());
    try {
      if (left && left->count() <= 0)
        mismatch = fmt::format("{} {}: not sent, {} had passed", check.method, check.url,
                               where.deadline_owner);
      else
        mismatch = where.pod ? http_mismatch(check, *where.pod,
                                             where.cancel ? where.cancel : &kNeverCancelled, left)
                             : std::optional<std::string>("no pod to send the request in");
    } catch (const Error& e) {
      mismatch = fmt::format("{} {}: {}", check.method, check.url, e.describe());
    }
    record(out, step, "expect_http", std::move(mismatch));
  }
  if (step.expected_output_file) {
    AssertionResult a;
    check_golden_file(*step.expected_output_file, exec.stdout_data, where.update_golden, a);
    if (!a.passed) a.message = fmt::format("{}: {}", step_header(step), a.message);
    out.push_back(std::move(a));
  }
  for (std::size_t i = first; i < out.size(); ++i)
    if (!out[i].passed) return false;
  return true;
}

}  // namespace clnrm
