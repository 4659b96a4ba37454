#include <clnrm/error.h>
#include <clnrm/report.h>

#include <filesystem>

#include "base/atomic_file.h"

namespace clnrm {

RunResult filter_tests(const RunResult& run, const std::function<bool(const TestResult&)>& keep) {
  RunResult out;
  out.session_id = run.session_id;
  out.backend = run.backend;
  out.started = run.started;
  out.duration = run.duration;
  out.jobs = run.jobs;
  for (const TestResult& t : run.tests)
    if (keep(t)) out.tests.push_back(t);
  return out;
}

void write_report_file(const std::string& path, const std::string& content) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  write_file_atomically(path, content);  // a reader never sees half a report
}

}  // namespace clnrm
