// The runner's side of history: record, and on any failure warn once and stop.
#include <clnrm/error.h>
#include <clnrm/history.h>

namespace clnrm::history {

Recorder::Recorder(const std::string& path, const RunMeta& meta, StoreOptions options) noexcept {
  try {
    store_ = std::make_unique<Store>(path, options);
    run_ = store_->begin_run(meta);
  } catch (const std::exception& e) {
    fail(e);
  }
}

void Recorder::record(const TestResult& test) noexcept {
  if (!store_) return;
  try {
    store_->record_test(run_, test);
  } catch (const std::exception& e) {
    fail(e);
  }
}

void Recorder::finish(const RunResult& result) noexcept {
  if (!store_) return;
  try {
    store_->finish_run(run_, result);
  } catch (const std::exception& e) {
    fail(e);
  }
}

void Recorder::fail(const std::exception& e) noexcept {
  if (warning_.empty()) {
    const auto* err = dynamic_cast<const Error*>(&e);
    warning_ = "history not recorded: " + (err ? err->describe() : std::string(e.what()));
  }
  try {
    store_.reset();  // the destructor's flush may fail again: it swallows that
  } catch (...) {
  }
}

}  // namespace clnrm::history
