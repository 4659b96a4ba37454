// The runner's side of history: record into the inbox, and on any failure
// warn once and stop.
#include <clnrm/error.h>
#include <clnrm/history.h>

#include "history/inbox.h"
#include "history/inbox_format.h"
#include "history/internal.h"

namespace clnrm::history {

namespace {

// An Error's whole description (message and where), else what() says.
std::string described(const std::exception& e) {
  const auto* err = dynamic_cast<const Error*>(&e);
  return err ? err->describe() : std::string(e.what());
}

}  // namespace

Recorder::Recorder(const std::string& path, const RunMeta& meta, StoreOptions options) noexcept
    : path_(path), options_(options) {
  try {
    inbox_ = std::make_unique<InboxRun>(path, meta);
  } catch (const std::exception& e) {
    fail(e);
  }
}

Recorder::~Recorder() = default;

void Recorder::record(const TestResult& test) noexcept {
  if (!inbox_) return;
  try {
    std::string lines;
    append_inbox_rows(lines, inbox_->token(), to_records(test));
    inbox_->append(lines);
    recorded_.push_back(recorded_test_key(test));
  } catch (const std::exception& e) {
    fail(e);
  }
}

void Recorder::finish(const RunResult& result) noexcept {
  if (!inbox_ || finished_) return;
  std::uintmax_t inbox_size = 0;
  try {
    std::string lines;
    append_inbox_rows(lines, inbox_->token(), rows_not_recorded(result, recorded_));
    lines += inbox_end_line(inbox_->token(), run_finished_ns(result), result.backend);
    inbox_size = inbox_->append(lines);
    finished_ = true;
  } catch (const std::exception& e) {
    fail(e);
    return;
  }
  if (inbox_size < kFoldAtBytes) return;
  try {
    Store fold(path_, options_);  // its constructor folds the inbox
  } catch (const std::exception& e) {
    warning_ = "history kept in " + inbox_path(path_) + ", not folded into the database: " + described(e);
  }
}

Recorder::Recorded Recorder::open_recorded() {
  if (!finished_) throw Error(ErrorKind::Io, "the run was not recorded", path_);
  Recorded out;
  out.store = std::make_unique<Store>(path_, options_);
  out.run_id = run_with_token(out.store->impl(), inbox_->token());
  if (out.run_id == 0) throw Error(ErrorKind::Io, "the run is not in the history database", path_);
  return out;
}

void Recorder::fail(const std::exception& e) noexcept {
  if (warning_.empty()) warning_ = "history not recorded: " + described(e);
  inbox_.reset();
}

}  // namespace clnrm::history
