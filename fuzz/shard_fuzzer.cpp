// --shard K/N (and --order) parsing: a valid shard has 1 <= K <= N and
// selecting it over a few tests works; anything else is Error(Usage). The
// same bytes as a --timings snapshot: read, or Error(Usage); when read, the
// shards it balances partition the tests exactly.
#include <clnrm/error.h>
#include <clnrm/schedule.h>
#include <clnrm/timing_snapshot.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void shard_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto shard = schedule::parse_shard(text)) {
    FUZZ_CHECK(shard->index >= 1 && shard->index <= shard->count);
    if (shard->count <= 64) {  // partition_shards allocates one lane per shard
      const std::vector<schedule::TestItem> tests{{"a.clnrm.toml", "a", 10}, {"b.clnrm.toml", "b", 20},
                                                  {"c.clnrm.toml", "c", 0}};
      for (std::size_t i : schedule::select_shard(tests, *shard, {})) FUZZ_CHECK(i < tests.size());
    }
  } else {
    FUZZ_CHECK(!shard.error().empty());
  }
  try {
    const auto snapshot = history::parse_timing_snapshot(text, "fuzz");
    std::vector<schedule::KnownDuration> timings;
    for (const auto& t : snapshot.tests)
      timings.push_back({t.file, t.test, std::chrono::nanoseconds(t.median_ns)});
    std::vector<schedule::TestItem> tests{{"a.clnrm.toml", "a", 0}, {"b.clnrm.toml", "b", 0}};
    for (const auto& t : snapshot.tests)
      if (tests.size() < 64) tests.push_back({t.file, t.test, 0});
    std::vector<int> seen(tests.size(), 0);
    for (const auto& shard : schedule::partition_shards(tests, 3, timings))
      for (std::size_t i : shard) ++seen[i];
    for (int n : seen) FUZZ_CHECK(n == 1);
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::Usage);
  }
  // Never throws; whatever it accepts prints back to the same order.
  if (const auto order = schedule::parse_order(text)) {
    const auto again = schedule::parse_order(schedule::to_string(*order));
    FUZZ_CHECK(again.ok() && again->seed == order->seed && again->kind == order->kind);
  } else {
    FUZZ_CHECK(!order.error().empty());
  }
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::shard_one_input)
