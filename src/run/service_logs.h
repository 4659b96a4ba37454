#pragma once
// Internal to src/run: reading the output of a test's services before its
// teardown, for the failure report and for --keep-logs.

#include <clnrm/result.h>
#include <clnrm/runner.h>

#include <vector>

#include "run/step_runner.h"

namespace clnrm::run {

// For every service in `running`: when `want_tail`, its state and log tail go
// into the matching ServiceResult of `test` (log_captured = true); when `sink`
// is set, its whole kept log is handed to it. Never throws: a log the backend
// cannot read is reported in place of the tail.
void capture_service_logs(const std::vector<RunningService>& running, TestResult& test,
                          bool want_tail, const ServiceLogSink* sink);

// Clears what capture_service_logs put into `test` (a test that passed after all).
void drop_service_logs(TestResult& test);

}  // namespace clnrm::run
