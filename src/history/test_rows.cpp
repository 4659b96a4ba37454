#include "history/test_rows.h"

#include <algorithm>
#include <unordered_map>

namespace clnrm::history {

std::vector<TestHistory> load_test_histories(Store& store) {
  auto& conn = store.impl().conn;
  sql::Statement q(conn.handle(),
                   "SELECT test, file, run_id, status, file_hash, duration_ns, started_ns, attempts, flaky"
                   " FROM executions WHERE step = '' ORDER BY id",
                   conn.path());
  std::vector<TestHistory> groups;
  std::unordered_map<std::string, std::size_t> index;
  std::unordered_map<std::string, std::uint32_t> hashes;
  std::string key;
  bool sorted = true;
  std::vector<bool> group_sorted;
  while (q.step()) {
    const auto test = q.text_view(0);
    const auto file = q.text_view(1);
    key.assign(test).push_back('\n');
    key.append(file);
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      groups.push_back({std::string(file), std::string(test), {}});
      group_sorted.push_back(true);
    }
    auto& g = groups[it->second];
    TestRow r;
    r.run = q.int64(2);
    r.status = status_from_text(q.text_view(3)).value_or(Status::Error);
    key.assign(q.text_view(4));
    r.hash_id = hashes.try_emplace(key, static_cast<std::uint32_t>(hashes.size())).first->second;
    r.duration_ns = q.int64(5);
    r.started_ns = q.int64(6);
    r.attempts = static_cast<std::uint16_t>(std::clamp<std::int64_t>(q.int64(7), 0, 65535));
    r.flaky = q.int64(8) != 0;
    if (!g.rows.empty() && g.rows.back().run > r.run) {
      group_sorted[it->second] = false;
      sorted = false;
    }
    g.rows.push_back(r);
  }
  // Rows come in insertion order, which is run order unless two runners
  // interleaved; then only the affected groups are re-sorted.
  if (!sorted) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (group_sorted[i]) continue;
      std::stable_sort(groups[i].rows.begin(), groups[i].rows.end(),
                       [](const TestRow& a, const TestRow& b) { return a.run < b.run; });
    }
  }
  return groups;
}

}  // namespace clnrm::history
