#pragma once
// Helpers shared by the history module's files (not a public API).

#include <clnrm/history.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/sqlite.h"

namespace clnrm::history {

struct Store::Impl {
  Impl(const std::string& path, const StoreOptions& options);
  StoreOptions options;
  sql::Connection conn;
};

std::optional<Status> status_from_text(std::string_view text) noexcept;
// Passed / failed / error / timed_out count as outcomes; skipped and
// cancelled (the user pressed ^C) say nothing about the test.
bool is_outcome(Status s) noexcept;
std::int64_t to_unix_ns(SystemTime t) noexcept;

// The writes of `runs` and `executions` (store.cpp), shared by the store's
// own run and the inbox's fold (inbox.cpp). insert_run_row returns the id;
// an empty token is NULL.
std::int64_t insert_run_row(sql::Connection& conn, const RunMeta& meta, bool complete, std::int64_t finished_ns,
                            const std::string& inbox_token);
void insert_execution_rows(sql::Connection& conn, std::int64_t run, std::span<const ExecutionRecord> rows);
// The run ended: finished, complete, and its backend unless "".
void complete_run_row(sql::Connection& conn, std::int64_t run, std::int64_t finished_ns, std::string_view backend);
// What a run's end still has to record: the rows of the tests in `result`
// not among `recorded` (recorded_test_key of each test recorded before).
std::string recorded_test_key(const TestResult& test);
// When the run ended: its start plus its duration (now, when it has no start).
std::int64_t run_finished_ns(const RunResult& result);
std::vector<ExecutionRecord> rows_not_recorded(const RunResult& result, const std::vector<std::string>& recorded);

// Applies the schema migrations up to schema_version(); each file owning a
// table keeps its SQL, this lists them in order.
void migrate(sql::Connection& conn, int retries);

}  // namespace clnrm::history
