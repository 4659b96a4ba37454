#pragma once
// The history inbox: how `clnrm run` records a run without opening the
// database. Opening it costs a one-test run SQLite's schema parse and WAL
// recovery (~1.3 M instructions; docs/history.md, "The inbox"), and a user
// running one file at a time pays that every run. So a run appends its
// records (inbox_format.h) to one text file beside the database,
// `<db>-inbox`: a line when it begins, the rows of each test as it ends, a
// line when the run ends. Appending is cheap where a file per run was not:
// creating, renaming and deleting a file per run cost 0.05-0.2 ms of CPU on
// this VM's ext4, appending 0.02 ms (bench/peers/inbox_cost/inbox_cost.c).
//
// Whoever opens the database (Store's constructor: `clnrm history`,
// --order history, --rerun-failed, the HTML report's trends; and a run that
// leaves kFoldAtBytes waiting) folds the inbox into it:
//  1. it takes the inbox's flock exclusively (appenders hold it shared for
//     each write, so none is halfway through) and renames the file to a
//     segment, `<db>-inbox.fold-<time>-<pid>-<nonce>`; the next append
//     starts a new inbox (an appender checks, under its lock, that the file
//     it opened is still the one at the inbox's path);
//  2. it applies every segment there is, oldest first, in one transaction:
//     `begin` inserts the run (incomplete), `row` its executions, `end`
//     completes it; a run begun in one segment goes on in the next one
//     (`runs.inbox_token` finds it), so a run still going is visible, as
//     INCOMPLETE, from the first fold after its begin;
//  3. the transaction records each segment it applied
//     (`inbox_segments`): a folder that dies after its commit leaves
//     segments the next one deletes without applying them twice.

#include <clnrm/history.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace clnrm::history {

// `<db_path>-inbox`, beside the database as SQLite's -wal and -shm are.
std::string inbox_path(const std::string& db_path);

// A run that leaves the inbox at least this large folds it.
inline constexpr std::uintmax_t kFoldAtBytes = 64 * 1024;

// One run's lines into the inbox.
class InboxRun {
 public:
  // Creates the database's directory when missing and appends the run's
  // `begin`. Throws Error(Io) naming the inbox.
  InboxRun(const std::string& db_path, const RunMeta& meta);
  // Appends whole lines (one write: lines of runners appending at once do
  // not mix). Returns the inbox's size after the write. Throws Error(Io).
  std::uintmax_t append(std::string_view lines);
  const std::string& token() const noexcept { return token_; }

 private:
  std::string path_;
  std::string token_;
};

// Folds the inbox of `db_path` into `impl`'s database (the steps above).
// Returns how many records were applied. Throws Error(Io) when the
// database refuses the writes: the segments then stay for the next fold.
std::size_t fold_inbox(Store::Impl& impl, const std::string& db_path);

// The id of the run that carried `token`, 0 when none did.
std::int64_t run_with_token(Store::Impl& impl, const std::string& token);

}  // namespace clnrm::history
