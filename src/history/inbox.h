#pragma once
// The history inbox: how `clnrm run` records a run without opening the
// database. Opening it costs a one-test run more than its cleanroom's
// namespaces (SQLite's schema parse and WAL recovery, ~1.3 M instructions
// and 0.8 ms CPU; docs/history.md, "The inbox"), and a user running one
// file at a time pays that every run. So a run writes its records to a file
// of its own in `<db>-inbox/` (inbox_format.h), holding an flock on it for
// as long as it runs; the kernel drops the lock when the runner exits or is
// killed. Whoever opens the database (Store's constructor: `clnrm history`,
// --order history, --rerun-failed, the HTML report's trends; and a run that
// finds kFoldAt runs waiting) first folds every run whose file nobody locks
// into it, in one transaction, then deletes those files.
//
// Each run carries a token (its file's name) into `runs.inbox_token`, a
// unique column: a folder that dies between its commit and the deletion
// leaves files the next one finds already folded, and skips.

#include <clnrm/history.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace clnrm::history {

// `<db_path>-inbox`, beside the database as SQLite's -wal and -shm are.
std::string inbox_dir(const std::string& db_path);

// A run finding this many runs in the inbox when it ends folds them.
inline constexpr std::size_t kFoldAt = 64;

// One run's file, locked from its creation until close() or destruction.
class InboxFile {
 public:
  // Creates the inbox (and the database's directory) when missing and the
  // run's file with its first lines. Throws Error(Io) naming the path.
  InboxFile(const std::string& db_path, const RunMeta& meta);
  InboxFile(const InboxFile&) = delete;
  InboxFile& operator=(const InboxFile&) = delete;

  // Appends whole lines in one write. Throws Error(Io).
  void append(std::string_view lines);
  // Closes the file, which ends the lock: the run may now be folded.
  // Returns how many runs wait in the inbox, this one included.
  std::size_t close();
  const std::string& token() const noexcept { return token_; }

 private:
  std::string dir_;
  std::string token_;
  UniqueFd dir_fd_;
  UniqueFd fd_;
};

// Folds the ended runs of `db_path`'s inbox into `impl`'s database (one
// transaction, oldest end first) and deletes their files; a file that is not
// a run of inbox_format.h is renamed `<name>.bad` and left. Returns how many
// runs were folded. Throws Error(Io) when the database refuses the writes
// (the files then stay for the next fold).
std::size_t fold_inbox(Store::Impl& impl, const std::string& db_path);

// The id of the run that carried `token`, 0 when none did.
std::int64_t run_with_token(Store::Impl& impl, const std::string& token);

}  // namespace clnrm::history
