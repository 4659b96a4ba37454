// `clnrm history export`'s formats (include/clnrm/history.h): the rows
// export_executions streams, as CSV or a JSON array.
#include <clnrm/history.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

#include "base/utc_time.h"

namespace clnrm::history {
namespace {

// An empty field when the time is not known.
std::string iso_time(std::int64_t unix_ns) {
  if (unix_ns <= 0) return "";
  return format_utc(unix_ns, UtcStyle::Rfc3339);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string export_csv_header() {
  return "id,run,run_complete,git_commit,host,file,file_hash,test,step,status,started,duration_ns,"
         "exit_code,cpu_user_us,cpu_sys_us,max_rss_kb,containers_created,containers_reused,"
         "attempts,flaky,worker,failure_hash\n";
}

std::string export_csv_row(const ExportedExecution& x) {
  const ExecutionRecord& r = x.record;
  std::string row;
  auto field = [&](std::string_view text) {
    if (!row.empty()) row += ',';
    row += text;
  };
  // The first field is never empty (an id), so `row.empty()` marks the start.
  field(std::to_string(x.id));
  field(std::to_string(x.run));
  field(x.run_complete ? "1" : "0");
  field(csv_field(x.git_commit));
  field(csv_field(x.host));
  field(csv_field(r.file));
  field(csv_field(r.file_hash));
  field(csv_field(r.test));
  field(csv_field(r.step));
  field(to_string(r.status));
  field(iso_time(r.started_ns));
  field(std::to_string(r.duration_ns));
  field(r.exit_code ? std::to_string(*r.exit_code) : "");
  field(std::to_string(r.cpu_user_us));
  field(std::to_string(r.cpu_sys_us));
  field(std::to_string(r.max_rss_kb));
  field(std::to_string(r.containers_created));
  field(std::to_string(r.containers_reused));
  field(std::to_string(r.attempts));
  field(r.flaky ? "1" : "0");
  field(std::to_string(r.worker));
  field(r.failure_hash);
  return row + "\n";
}

std::string export_json_row(const ExportedExecution& x) {
  using nlohmann::json;
  const ExecutionRecord& r = x.record;
  const json j{{"id", x.id},
               {"run", x.run},
               {"run_complete", x.run_complete},
               {"git_commit", x.git_commit},
               {"host", x.host},
               {"file", r.file},
               {"file_hash", r.file_hash},
               {"test", r.test},
               {"step", r.step},
               {"status", std::string(to_string(r.status))},
               {"started", iso_time(r.started_ns)},
               {"duration_ns", r.duration_ns},
               {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)},
               {"cpu_user_us", r.cpu_user_us},
               {"cpu_sys_us", r.cpu_sys_us},
               {"max_rss_kb", r.max_rss_kb},
               {"containers_created", r.containers_created},
               {"containers_reused", r.containers_reused},
               {"attempts", r.attempts},
               {"flaky", r.flaky},
               {"worker", r.worker},
               {"failure_hash", r.failure_hash}};
  return j.dump();
}

void write_export(Store& store, std::int64_t run, ExportFormat format, std::ostream& out) {
  const bool csv = format == ExportFormat::Csv;
  out << (csv ? export_csv_header() : "[");
  bool first = true;
  export_executions(store, run, [&](const ExportedExecution& x) {
    if (csv) {
      out << export_csv_row(x);
      return;
    }
    out << (first ? "\n  " : ",\n  ") << export_json_row(x);
    first = false;
  });
  if (!csv) out << (first ? "]\n" : "\n]\n");
}

}  // namespace clnrm::history
