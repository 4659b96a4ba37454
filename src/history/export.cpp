// `clnrm history export`: every execution row, streamed.
#include "history/internal.h"

namespace clnrm::history {

void export_executions(Store& store, std::int64_t run,
                       const std::function<void(const ExportedExecution&)>& sink) {
  auto& conn = store.impl().conn;
  sql::Statement q(
      conn.handle(),
      "SELECT e.id, e.run_id, r.complete, r.git_commit, r.host, e.file, e.file_hash, e.test, "
      "e.step,"
      " e.status, e.started_ns, e.duration_ns, e.exit_code, e.cpu_user_us, e.cpu_sys_us, "
      "e.max_rss_kb,"
      " e.containers_created, e.containers_reused, e.attempts, e.flaky, e.worker, e.failure_hash"
      " FROM executions e JOIN runs r ON r.id = e.run_id"
      " WHERE (?1 = 0 OR e.run_id = ?1) ORDER BY e.id",
      conn.path());
  q.bind(1, run);
  ExportedExecution x;
  while (q.step()) {
    x.id = q.int64(0);
    x.run = q.int64(1);
    x.run_complete = q.int64(2) != 0;
    x.git_commit = q.text(3);
    x.host = q.text(4);
    auto& r = x.record;
    r.file = q.text(5);
    r.file_hash = q.text(6);
    r.test = q.text(7);
    r.step = q.text(8);
    r.status = status_from_text(q.text_view(9)).value_or(Status::Error);
    r.started_ns = q.int64(10);
    r.duration_ns = q.int64(11);
    r.exit_code = q.is_null(12) ? std::nullopt : std::optional<int>(static_cast<int>(q.int64(12)));
    r.cpu_user_us = q.int64(13);
    r.cpu_sys_us = q.int64(14);
    r.max_rss_kb = q.int64(15);
    r.containers_created = static_cast<int>(q.int64(16));
    r.containers_reused = static_cast<int>(q.int64(17));
    r.attempts = static_cast<int>(q.int64(18));
    r.flaky = q.int64(19) != 0;
    r.worker = static_cast<int>(q.int64(20));
    r.failure_hash = q.text(21);
    sink(x);
  }
}

}  // namespace clnrm::history
