// --shard K/N: split tests over N CI machines so they finish together, each
// test on exactly one machine (the rule: include/clnrm/schedule.h).
#include <clnrm/error.h>
#include <clnrm/schedule.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
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

namespace {

// A test's cost in integer nanoseconds (see partition_shards in
// include/clnrm/schedule.h): its snapshot duration, else the snapshot's median,
// else 1 (no snapshot: all equal).
std::vector<std::int64_t> shard_costs(const std::vector<TestItem>& tests,
                                      const std::vector<KnownDuration>& timings) {
  std::int64_t typical = 1;
  if (!timings.empty()) {
    std::vector<std::int64_t> all;
    all.reserve(timings.size());
    for (const auto& t : timings) all.push_back(t.median.count());
    // The lower median: an integer, the same on every machine.
    const auto mid = all.begin() + static_cast<std::ptrdiff_t>((all.size() - 1) / 2);
    std::nth_element(all.begin(), mid, all.end());
    typical = *mid;
  }
  const auto matched = match_durations(tests, timings);
  std::vector<std::int64_t> cost(tests.size(), typical);
  for (std::size_t i = 0; i < tests.size(); ++i)
    if (matched[i]) cost[i] = matched[i]->count();
  for (auto& c : cost) c = std::max<std::int64_t>(c, 0);  // a library caller's negative duration
  return cost;
}

}  // namespace

std::vector<std::vector<std::size_t>> partition_shards(const std::vector<TestItem>& tests,
                                                       int count,
                                                       const std::vector<KnownDuration>& timings) {
  if (count < 1) throw Error(ErrorKind::Usage, "shard count must be at least 1");
  const std::vector<std::int64_t> cost = shard_costs(tests, timings);
  // The stable key: the test's name first, so that when names are unique the
  // split does not depend on how the paths are spelled (a checkout directory
  // that differs between CI machines), then its file.
  auto key_less = [&](std::size_t a, std::size_t b) {
    return std::tie(tests[a].name, tests[a].file, a) < std::tie(tests[b].name, tests[b].file, b);
  };
  std::vector<std::size_t> idx(tests.size());
  std::iota(idx.begin(), idx.end(), 0);
  // Greedy LPT: biggest first onto the least-loaded shard.
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    if (cost[a] != cost[b]) return cost[a] > cost[b];
    return key_less(a, b);
  });
  struct Load {
    std::int64_t cost = 0;
    std::size_t tests = 0;
  };
  std::vector<std::vector<std::size_t>> shards(static_cast<std::size_t>(count));
  std::vector<Load> load(shards.size());
  for (auto i : idx) {
    // Ties on cost go to the shard with fewer tests, so equal (or zero)
    // costs are dealt round-robin instead of piling onto shard 1.
    const auto target = static_cast<std::size_t>(
        std::min_element(load.begin(), load.end(),
                         [](const Load& a, const Load& b) {
                           return std::tie(a.cost, a.tests) < std::tie(b.cost, b.tests);
                         }) -
        load.begin());
    // Saturating: a snapshot may hold durations whose sum overflows.
    auto& total = load[target].cost;
    total = cost[i] > std::numeric_limits<std::int64_t>::max() - total
                ? std::numeric_limits<std::int64_t>::max()
                : total + cost[i];
    ++load[target].tests;
    shards[target].push_back(i);
  }
  for (auto& s : shards) std::sort(s.begin(), s.end(), key_less);
  return shards;
}

std::vector<std::size_t> select_shard(const std::vector<TestItem>& tests, const Shard& shard,
                                      const std::vector<KnownDuration>& timings) {
  if (shard.index < 1 || shard.index > shard.count) {
    throw Error(ErrorKind::Usage,
                "shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) +
                    " is out of range");
  }
  return partition_shards(tests, shard.count, timings)[static_cast<std::size_t>(shard.index - 1)];
}

}  // namespace clnrm::schedule
