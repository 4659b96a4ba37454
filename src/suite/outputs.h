#pragma once
// Every file a run writes after it ran: --json, --junit, [report] files of
// test files, HTML (with history trends), metrics, traces, the OTLP endpoint.

#include <clnrm/determinism.h>
#include <clnrm/session.h>
#include <clnrm/history.h>
#include <clnrm/runner.h>
#include <clnrm/suite.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace clnrm::suite {

// The outputs given whose path cannot be written: found before the run, so a
// bad path is an error before anything runs, not a surprise after it.
std::vector<OutputProblem> unwritable_outputs(const SuiteOutputs& outputs);

// What the JSON report adds to run_result_to_json: the session's metrics,
// and the repeat / determinism results.
struct JsonExtras {
  std::vector<StepTiming> timings;
  std::optional<nlohmann::json> digests;  // digests_to_json(...)
  std::optional<nlohmann::json> metrics;  // metrics_to_json(...)
};

// The JSON report. `outputs_failed`: an output could not be written, so the
// run's verdict is failed whatever the tests did, and "exit_code" says so.
std::string json_report(const RunResult& run, const JsonExtras& extras, bool outputs_failed);

// What write_outputs reads besides the options.
struct RunForOutputs {
  const RunResult& run;            // invalid files (keep_going) last
  std::size_t planned_results;     // the results before them, mapping onto `plan`
  const std::vector<TestSpec>& tests;
  const Plan& plan;
  int repeat = 1;                  // measured results per test (warm-ups are not here)
  const Session& env;          // its metrics
  history::Recorder* recorder;     // null: no history (no trends in HTML)
  const JsonExtras& extras;
  const DeterminismCollector& digests;
};

struct WrittenOutputs {
  std::vector<OutputProblem> not_written;  // each naming its path
  std::vector<std::string> files;          // written
};

// Writes every output asked for; one failure does not stop the others.
// `earlier` are outputs that already failed (kept logs): with the others they
// decide the JSON report's exit_code, so the JSON is written last and agrees
// with the verdict. History and the OTLP endpoint are side channels: their
// failures go to `warn`.
WrittenOutputs write_outputs(const SuiteOutputs& outputs, const RunForOutputs& in,
                             const std::vector<OutputProblem>& earlier,
                             const std::function<void(const std::string&)>& warn);

}  // namespace clnrm::suite
