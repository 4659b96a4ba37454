#pragma once
// The text of one run in the history inbox (inbox.h): a line per record,
// fields separated by tabs; a backslash, tab or newline inside a field is
// written \\, \t or \n.
//
//   clnrm-history-inbox 1
//   run  started_ns host git_commit clnrm_version backend options
//   row  file file_hash test step status started_ns duration_ns exit_code|-
//        cpu_user_us cpu_sys_us max_rss_kb containers_created
//        containers_reused attempts flaky(0|1) worker failure_hash
//   end  finished_ns backend
//
// (one `row` per line; wrapped here). A record counts once its newline is
// written: a runner killed in the middle of a write, or a power cut, leaves
// at most a last line without one, which parse_inbox_run drops.

#include <clnrm/history.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::history {

// The first two lines: the format's and the run's.
std::string inbox_run_start(const RunMeta& meta);
// Appends one `row` line per record.
void append_inbox_rows(std::string& out, std::span<const ExecutionRecord> rows);
// The last line: the run ended (complete), when, and the backend it ran on
// ("" keeps the one of the `run` line).
std::string inbox_run_end(std::int64_t finished_ns, std::string_view backend);

struct InboxRun {
  RunMeta meta;
  std::vector<ExecutionRecord> rows;
  bool ended = false;  // the `end` line is there: the run is complete
  std::int64_t finished_ns = 0;
};

// nullopt, with `why` naming the line, when a complete line is not of this
// format (another version, a damaged file).
std::optional<InboxRun> parse_inbox_run(std::string_view text, std::string& why);

}  // namespace clnrm::history
