#include "run/service_logs.h"

#include <clnrm/output_tail.h>

#include <exception>

namespace clnrm::run {
namespace {

// What a service's log is read with: the tail needs a little more than its
// byte cap (cut at a line start); --keep-logs wants everything kept.
constexpr std::size_t kTailReadBytes = 4 * kServiceLogTailBytes;
constexpr std::size_t kWholeLogBytes = std::size_t{64} << 20;

ServiceResult* result_for(TestResult& test, std::string_view name) {
  for (ServiceResult& s : test.services)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

void capture_service_logs(const std::vector<RunningService>& running, TestResult& test,
                          bool want_tail, const ServiceLogSink* sink) {
  for (const RunningService& service : running) {
    ServiceResult* result = result_for(test, service.name);
    if (!result || !service.instance) continue;
    std::string log;
    std::string unreadable;
    try {
      log = service.instance->logs(sink ? kWholeLogBytes : kTailReadBytes);
    } catch (const std::exception& e) {
      unreadable = std::string("(its output could not be read: ") + e.what() + ")";
    }
    if (want_tail) {
      result->log_captured = true;
      try {
        result->state = service.instance->describe_state();
      } catch (const std::exception&) {
        result->state.clear();
      }
      result->log_tail = unreadable.empty()
                             ? output_tail(log, kServiceLogTailLines, kServiceLogTailBytes)
                             : unreadable;
    }
    if (sink && *sink && unreadable.empty()) {
      try {
        (*sink)(test, *result, log);
      } catch (const std::exception&) {
        // The sink reports its own failures; a test's result never depends on it.
      }
    }
  }
}

void drop_service_logs(TestResult& test) {
  for (ServiceResult& s : test.services) {
    s.log_captured = false;
    s.state.clear();
    s.log_tail.clear();
  }
}

}  // namespace clnrm::run
