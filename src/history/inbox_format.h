#pragma once
// The lines of the history inbox (inbox.h): text, one record per line,
// fields separated by tabs; a backslash, tab or newline inside a field is
// written \\, \t or \n. Every record names its run by the run's token, so
// the lines of runners appending at once may interleave.
//
//   begin token started_ns host git_commit clnrm_version backend options .
//   row   token file file_hash test step status started_ns duration_ns
//         exit_code|- cpu_user_us cpu_sys_us max_rss_kb containers_created
//         containers_reused attempts flaky(0|1) worker failure_hash .
//   end   token finished_ns backend .
//
// (one `row` per line; wrapped here). The last field of every record is a
// lone `.`: a write cut off anywhere (a full disk, a power cut) leaves a
// line that parse_inbox_line refuses, and the reader skips it.

#include <clnrm/history.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace clnrm::history {

std::string inbox_begin_line(std::string_view token, const RunMeta& meta);
// One `row` line per record, appended to `out`.
void append_inbox_rows(std::string& out, std::string_view token, std::span<const ExecutionRecord> rows);
// The run ended (complete), when, and the backend it ran on ("" keeps the
// one of its `begin`).
std::string inbox_end_line(std::string_view token, std::int64_t finished_ns, std::string_view backend);

struct InboxRecord {
  enum class Kind { Begin, Row, End } kind = Kind::Begin;
  std::string token;
  RunMeta meta;          // Begin; End: meta.backend only
  ExecutionRecord row;   // Row
  std::int64_t finished_ns = 0;  // End
};

// One line (without its newline); nullopt when it is not a record of this
// format.
std::optional<InboxRecord> parse_inbox_line(std::string_view line);

}  // namespace clnrm::history
