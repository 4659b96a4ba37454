// --shard K/N: split tests over N CI machines so they finish together.
#include <clnrm/error.h>
#include <clnrm/schedule.h>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <tuple>

namespace clnrm::schedule {

Parsed<Shard> parse_shard(std::string_view text) {
  auto fail = [](const std::string& why) {
    return Parsed<Shard>::failure(why + " (expected K/N with 1 <= K <= N, e.g. 2/3)");
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return fail("missing '/'");
  auto number = [&](std::string_view s, int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  Shard shard;
  if (!number(text.substr(0, slash), shard.index) || !number(text.substr(slash + 1), shard.count)) {
    return fail("K and N must be whole numbers");
  }
  if (shard.count < 1) return fail("N must be at least 1");
  if (shard.index < 1 || shard.index > shard.count) return fail("K must be between 1 and N");
  return shard;
}

std::vector<std::vector<std::size_t>> partition_shards(const std::vector<TestItem>& tests,
                                                       int count,
                                                       const std::vector<KnownDuration>& history) {
  if (count < 1) throw Error(ErrorKind::Usage, "shard count must be at least 1", "--shard");
  const auto costs = estimate_costs(tests, history);
  std::vector<std::size_t> idx(tests.size());
  std::iota(idx.begin(), idx.end(), 0);
  // Greedy LPT: biggest first onto the least-loaded shard. The tie-break on
  // (file, name) makes every machine compute the same split from the same inputs.
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    if (costs.cost[a] != costs.cost[b]) return costs.cost[a] > costs.cost[b];
    return std::tie(tests[a].file, tests[a].name, a) < std::tie(tests[b].file, tests[b].name, b);
  });
  std::vector<std::vector<std::size_t>> shards(static_cast<std::size_t>(count));
  std::vector<double> load(shards.size(), 0.0);
  for (auto i : idx) {
    const auto target =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[target] += costs.cost[i];
    shards[target].push_back(i);
  }
  for (auto& s : shards) {
    std::sort(s.begin(), s.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(tests[a].file, tests[a].name, a) < std::tie(tests[b].file, tests[b].name, b);
    });
  }
  return shards;
}

std::vector<std::size_t> select_shard(const std::vector<TestItem>& tests, const Shard& shard,
                                      const std::vector<KnownDuration>& history) {
  if (shard.index < 1 || shard.index > shard.count) {
    throw Error(ErrorKind::Usage,
                "shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) +
                    " is out of range",
                "--shard");
  }
  return partition_shards(tests, shard.count, history)[static_cast<std::size_t>(shard.index - 1)];
}

}  // namespace clnrm::schedule
