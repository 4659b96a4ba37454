#include "history/test_rows.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

namespace clnrm::history {

namespace {

// Status by its first letter: passed, failed, error, timed_out, skipped,
// cancelled all differ there, and this runs once per row of a million.
Status status_fast(std::string_view text) {
  switch (text.empty() ? '\0' : text[0]) {
    case 'p':
      return Status::Passed;
    case 'f':
      return Status::Failed;
    case 't':
      return Status::TimedOut;
    case 's':
      return Status::Skipped;
    case 'c':
      return Status::Cancelled;
    default:
      return Status::Error;
  }
}

struct Group {
  std::vector<std::string> hashes;  // distinct file hashes seen, usually one or two
  std::size_t next = SIZE_MAX;      // the group of the row that followed this one last time
  bool sorted = true;
};

}  // namespace

std::vector<TestHistory> load_test_histories(Store& store) {
  auto& conn = store.impl().conn;
  sql::Statement q(
      conn.handle(),
      "SELECT test, file, run_id, status, file_hash, duration_ns, started_ns, attempts, flaky"
      " FROM executions WHERE step = '' ORDER BY id",
      conn.path());
  std::vector<TestHistory> groups;
  std::vector<Group> meta;
  std::unordered_map<std::string, std::size_t> index;
  std::string key;
  std::size_t prev = SIZE_MAX;
  bool sorted = true;
  while (q.step()) {
    const auto test = q.text_view(0);
    const auto file = q.text_view(1);
    // Runs repeat the same test order, so the group that followed the
    // previous row's group last time is almost always right: two string
    // compares instead of building and hashing a key.
    std::size_t g = SIZE_MAX;
    if (prev != SIZE_MAX) {
      const auto guess = meta[prev].next;
      if (guess != SIZE_MAX && groups[guess].test == test && groups[guess].file == file) g = guess;
    }
    if (g == SIZE_MAX) {
      key.assign(test).push_back('\n');
      key.append(file);
      auto [it, inserted] = index.try_emplace(key, groups.size());
      if (inserted) {
        groups.push_back({std::string(file), std::string(test), {}});
        meta.emplace_back();
      }
      g = it->second;
    }
    if (prev != SIZE_MAX) meta[prev].next = g;
    prev = g;

    auto& group = groups[g];
    auto& m = meta[g];
    TestRow r;
    r.run = q.int64(2);
    r.status = status_fast(q.text_view(3));
    const auto hash = q.text_view(4);
    auto h = std::find(m.hashes.rbegin(), m.hashes.rend(), hash);
    if (h == m.hashes.rend()) {
      m.hashes.emplace_back(hash);
      r.hash_id = static_cast<std::uint32_t>(m.hashes.size() - 1);
    } else {
      r.hash_id = static_cast<std::uint32_t>(m.hashes.rend() - h - 1);
    }
    r.duration_ns = q.int64(5);
    r.started_ns = q.int64(6);
    r.attempts = static_cast<std::uint16_t>(std::clamp<std::int64_t>(q.int64(7), 0, 65535));
    r.flaky = q.int64(8) != 0;
    if (!group.rows.empty() && group.rows.back().run > r.run) {
      m.sorted = false;
      sorted = false;
    }
    group.rows.push_back(r);
  }
  // Rows come in insertion order, which is run order unless two runners
  // interleaved; then only the affected groups are re-sorted.
  if (!sorted) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (meta[i].sorted) continue;
      std::stable_sort(groups[i].rows.begin(), groups[i].rows.end(),
                       [](const TestRow& a, const TestRow& b) { return a.run < b.run; });
    }
  }
  return groups;
}

}  // namespace clnrm::history
