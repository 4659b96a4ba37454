#pragma once
// The test rows of `executions` grouped per (file, test), each group in run
// order: the input of flaky, predict and the duration statistics.
//
// Why a scan of an index in run order and not an index ordered by test: the
// latter puts every test of a run on a different B-tree page, so a
// 1,000-test run dirties ~1,000 pages (4 MB of WAL) once the DB is large,
// and batch inserts got 5-10x slower in bench/history_benchmarks. The run-
// ordered covering index (executions_tests_by_run) is append-only and skips
// the step rows; one pass grouped in a hash map serves every analysis.

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
