#include <clnrm/error.h>
#include <clnrm/report.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

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
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  // Write to a temp file and rename: a reader never sees half a report.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f)
      throw Error(ErrorKind::Io, std::string("cannot write report: ") + std::strerror(errno), path);
    f << content;
    f.flush();
    if (!f) throw Error(ErrorKind::Io, "writing the report failed", path);
  }
  fs::rename(tmp, path, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot write report: " + ec.message(), path);
}

}  // namespace clnrm
