#include "suite/outputs.h"

#include <clnrm/error.h>
#include <clnrm/html_report.h>
#include <clnrm/metrics_formats.h>
#include <clnrm/otlp.h>
#include <clnrm/report.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "base/atomic_file.h"

namespace clnrm::suite {

std::vector<OutputProblem> unwritable_outputs(const SuiteOutputs& outputs) {
  const std::pair<SuiteOutput, const std::string*> all[] = {
      {SuiteOutput::Json, &outputs.json_file},        {SuiteOutput::Junit, &outputs.junit_file},
      {SuiteOutput::Html, &outputs.html_file},        {SuiteOutput::Metrics, &outputs.metrics_file},
      {SuiteOutput::Trace, &outputs.trace_file}};
  std::vector<OutputProblem> problems;
  for (const auto& [output, path] : all)
    if (!path->empty())
      if (auto why = why_not_writable(*path)) problems.push_back({output, *why});
  return problems;
}

std::string json_report(const RunResult& run, const JsonExtras& extras, bool outputs_failed) {
  std::string text = run_result_to_json(run);
  const bool failed_by_outputs = outputs_failed && run.exit_code() == 0;
  if (extras.timings.empty() && !extras.digests && !extras.metrics && !failed_by_outputs)
    return text;
  nlohmann::json j = nlohmann::json::parse(text);
  if (failed_by_outputs) j["exit_code"] = 1;
  if (extras.metrics) j["metrics"] = *extras.metrics;
  if (!extras.timings.empty()) j["step_timings"] = step_timings_to_json(extras.timings);
  if (extras.digests) j["digests"] = *extras.digests;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

// [report] json/junit/digest inside test files: each path gets the results of
// the tests that name it. The paths come from untrusted files: they are
// written below the output directory only, never through a symbolic link.
void write_per_file_reports(const std::string& output_dir, const RunForOutputs& in,
                            std::vector<std::string>& written) {
  const RunResult& run = in.run;
  std::map<std::string, std::vector<std::size_t>> json_paths, junit_paths, digest_paths;
  for (std::size_t i = 0; i < in.planned_results; ++i) {
    const ReportSpec& r = in.tests[in.plan.order[i / static_cast<std::size_t>(in.repeat)]].report;
    if (r.json) json_paths[*r.json].push_back(i);
    if (r.junit) junit_paths[*r.junit].push_back(i);
    if (r.digest) digest_paths[*r.digest].push_back(i);
  }
  if (json_paths.empty() && junit_paths.empty() && digest_paths.empty()) return;
  std::error_code ec;  // a failure shows when the directory is opened
  std::filesystem::create_directories(output_dir, ec);
  auto write = [&](const std::string& path, std::string_view text) {
    write_file_atomically_beneath(output_dir, path, text);
    written.push_back((std::filesystem::path(output_dir) / path).string());
  };
  // [report] digest: the digests (and the repeat comparison) of the tests naming the file.
  for (const auto& [path, indices] : digest_paths) {
    auto named = [&](const std::string& file, const std::string& test) {
      for (std::size_t i : indices)
        if (run.tests[i].file == file && run.tests[i].name == test) return true;
      return false;
    };
    std::vector<TestDigest> d;
    for (TestDigest& x : in.digests.digests())
      if (named(x.file, x.test)) d.push_back(std::move(x));
    std::vector<DeterminismReport> reports;
    for (DeterminismReport& x : in.digests.reports())
      if (named(x.file, x.test)) reports.push_back(std::move(x));
    write(path, digest_file_text(d, reports));
  }
  auto subset = [&](const std::vector<std::size_t>& indices) {
    RunResult part = filter_tests(run, [](const TestResult&) { return false; });
    for (std::size_t i : indices) part.tests.push_back(run.tests[i]);
    return part;
  };
  for (const auto& [path, indices] : json_paths) write(path, run_result_to_json(subset(indices)));
  for (const auto& [path, indices] : junit_paths) write(path, run_result_to_junit(subset(indices)));
}

}  // namespace

WrittenOutputs write_outputs(const SuiteOutputs& outputs, const RunForOutputs& in,
                             const std::vector<OutputProblem>& earlier,
                             const std::function<void(const std::string&)>& warn) {
  WrittenOutputs out;
  std::vector<OutputProblem> failures;
  auto attempt = [&](SuiteOutput what, const std::string& path, const std::function<void()>& write,
                     std::vector<OutputProblem>& into) {
    try {
      write();
      if (!path.empty()) out.files.push_back(path);
    } catch (const Error& e) {
      into.push_back({what, e.describe()});
    } catch (const std::exception& e) {
      into.push_back({what, e.what()});
    }
  };
  const RunResult& run = in.run;
  if (!outputs.junit_file.empty())
    attempt(SuiteOutput::Junit, outputs.junit_file,
            [&] { write_report_file(outputs.junit_file, run_result_to_junit(run)); }, failures);
  if (outputs.test_file_reports)
    attempt(SuiteOutput::PerTestReports, "",
            [&] { write_per_file_reports(outputs.report_dir, in, out.files); }, failures);
  if (!outputs.html_file.empty()) attempt(SuiteOutput::Html, outputs.html_file, [&] {
    std::optional<report::TrendsByTest> trends;
    if (in.recorder && in.recorder->active()) {
      try {
        history::Recorder::Recorded recorded = in.recorder->open_recorded();
        trends = report::load_trends(*recorded.store, run, 30, recorded.run_id);
      } catch (const Error& e) {
        warn(fmt::format("no history trends in the HTML report: {}", e.describe()));
      }
    }
    report::write_html_report(run, trends, outputs.html_file);
  }, failures);
  if (!outputs.metrics_file.empty())
    attempt(SuiteOutput::Metrics, outputs.metrics_file, [&] {
      write_metrics_file(outputs.metrics_file, in.env.metrics().snapshot(), run);
    }, failures);
  if (!outputs.trace_file.empty())
    attempt(SuiteOutput::Trace, outputs.trace_file,
            [&] { write_trace_file(outputs.trace_file, run); }, failures);
  if (!outputs.otel_endpoint.empty()) {
    try {
      OtlpPostOptions options;
      options.endpoint_as = outputs.otel_endpoint_as;
      post_otlp(outputs.otel_endpoint, run, options);
    } catch (const Error& e) {
      warn(fmt::format("traces not exported: {}", e.describe()));
    }
  }
  // The JSON report last: it carries the exit code, which a failure above
  // (or of the kept logs) turns into 1.
  if (!outputs.json_file.empty()) {
    const bool failed = !failures.empty() || !earlier.empty();
    attempt(SuiteOutput::Json, outputs.json_file, [&] {
      write_report_file(outputs.json_file, json_report(run, in.extras, failed));
    }, out.not_written);
  }
  // In the order the outputs are named (JSON first), then the earlier ones.
  for (OutputProblem& p : failures) out.not_written.push_back(std::move(p));
  for (const OutputProblem& p : earlier) out.not_written.push_back(p);
  return out;
}

}  // namespace clnrm::suite
