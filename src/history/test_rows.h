#pragma once
// The test rows of `executions` grouped per (file, test), each group in run
// order: the input of flaky, predict and the duration statistics.
//
// Why one sequential scan of the table and no index: the table is
// append-only (rowid order is run order, give or take two runners
// interleaving), so inserts stay cheap. Measured in bench/history_benchmarks
// (1,000-row batches into a large DB):
//   - an index ordered by test put every test of a run on a different
//     B-tree page (~4 MB of WAL per 1,000-test run): batches 5-10x slower;
//   - a covering index of the test rows in run order cost ~50% more CPU per
//     insert and saved under 10% of the scan (all rows were test rows).
// One pass grouped in a hash map serves every analysis: ~0.3 s CPU for a
// million test rows; step rows are skipped by SQLite at little cost.

#include <cstdint>
#include <string>
#include <vector>

#include "history/internal.h"

namespace clnrm::history {

struct TestRow {
  std::int64_t run = 0;
  std::int64_t started_ns = 0;
  std::int64_t duration_ns = 0;
  std::uint32_t hash_id = 0;  // file hash, numbered per test: equal ids = equal hashes
  Status status = Status::Passed;
  std::uint16_t attempts = 1;
  bool flaky = false;
};

struct TestHistory {
  std::string file, test;
  std::vector<TestRow> rows;  // ascending run id (then insertion order)
};

// Groups in order of first appearance.
std::vector<TestHistory> load_test_histories(Store& store);

}  // namespace clnrm::history
