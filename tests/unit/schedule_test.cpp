#include <clnrm/error.h>
#include <clnrm/schedule.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <set>

using namespace clnrm;
using namespace clnrm::schedule;
using std::chrono::milliseconds;

namespace {

std::vector<TestItem> suite(int n, std::uintmax_t size = 0) {
  std::vector<TestItem> tests;
  for (int i = 0; i < n; ++i) {
    tests.push_back({"tests/t" + std::to_string(100 + i) + ".clnrm.toml",
                     "t" + std::to_string(100 + i), size ? size + i : 0});
  }
  return tests;
}

std::vector<KnownDuration> durations_of(const std::vector<TestItem>& tests,
                                        const std::vector<double>& seconds) {
  std::vector<KnownDuration> out;
  for (std::size_t i = 0; i < tests.size() && i < seconds.size(); ++i) {
    out.push_back({tests[i].file, tests[i].name,
                   std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::duration<double>(seconds[i]))});
  }
  return out;
}

// Skewed durations: log-normal with a heavy tail (a few tests dominate).
std::vector<double> skewed(std::mt19937_64& rng, int n) {
  std::lognormal_distribution<double> d(0.0, 1.5);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(d(rng));
  return v;
}

}  // namespace

TEST(ScheduleOrder, ParsesEveryForm) {
  EXPECT_EQ(parse_order("file")->kind, Order::Kind::File);
  EXPECT_EQ(parse_order("history")->kind, Order::Kind::History);
  auto r = parse_order("random:42").value();
  EXPECT_EQ(r.kind, Order::Kind::Random);
  EXPECT_EQ(r.seed, 42u);
  EXPECT_TRUE(r.seed_given);
  EXPECT_EQ(to_string(r), "random:42");
  auto drawn = parse_order("random").value();
  EXPECT_FALSE(drawn.seed_given);
  EXPECT_EQ(to_string(drawn), "random:" + std::to_string(drawn.seed));
  for (auto bad : {"", "fast", "random:", "random:x1", "random:-3", "random:1x"})
    EXPECT_FALSE(parse_order(bad).ok()) << "accepted '" << bad << "'";
  EXPECT_EQ(parse_order("fast").error(),
            "unknown order 'fast' (use file, random, random:SEED or history)");
}

TEST(ScheduleOrder, FileOrderSortsByPathIndependentOfDiscovery) {
  std::vector<TestItem> tests = {{"b.toml", "b"}, {"a.toml", "a"}, {"c.toml", "c"}};
  EXPECT_EQ(order_tests(tests, parse_order("file").value(), {}), (std::vector<std::size_t>{1, 0, 2}));
}

TEST(ScheduleOrder, RandomIsAPermutationDeterministicForTheSeed) {
  auto tests = suite(50);
  const auto a = order_tests(tests, parse_order("random:7").value(), {});
  EXPECT_EQ(a, order_tests(tests, parse_order("random:7").value(), {}));
  EXPECT_NE(a, order_tests(tests, parse_order("random:8").value(), {}));
  EXPECT_NE(a, order_tests(tests, parse_order("file").value(), {}));
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);
  // Same set in another discovery order: same run order.
  auto reversed = tests;
  std::reverse(reversed.begin(), reversed.end());
  const auto b = order_tests(reversed, parse_order("random:7").value(), {});
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(tests[a[i]].name, reversed[b[i]].name);
}

TEST(ScheduleOrder, HistoryRunsLongestFirstAndNewTestsAsTypical) {
  auto tests = suite(4);
  // t103 has no history: it gets the median of 1, 5, 3 = 3 s (ties by file: t102 first).
  auto known = durations_of(tests, {1.0, 5.0, 3.0});
  const auto costs = estimate_costs(tests, known);
  EXPECT_EQ(costs.basis, CostBasis::History);
  EXPECT_EQ(costs.known, 3u);
  EXPECT_DOUBLE_EQ(costs.cost[3], 3.0);
  EXPECT_EQ(order_tests(tests, parse_order("history").value(), known),
            (std::vector<std::size_t>{1, 2, 3, 0}));
}

TEST(ScheduleOrder, HistoryMatchesAMovedFileByUniqueName) {
  auto tests = suite(2);
  auto known = durations_of(tests, {1.0, 9.0});
  known[1].file = "old/location.clnrm.toml";
  EXPECT_DOUBLE_EQ(estimate_costs(tests, known).cost[1], 9.0);
}

TEST(ScheduleOrder, WithoutHistoryFallsBackToFileSizeThenCount) {
  EXPECT_EQ(estimate_costs(suite(3, 100), {}).basis, CostBasis::FileSize);
  EXPECT_DOUBLE_EQ(estimate_costs(suite(3, 100), {}).cost[2], 102.0);
  EXPECT_EQ(estimate_costs(suite(3), {}).basis, CostBasis::Count);
}

TEST(ScheduleShard, ParsesKOverNAndRejectsNonsenseClearly) {
  auto s = parse_shard("2/3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 3);
  EXPECT_EQ(parse_shard("1/1")->count, 1);
  for (auto bad : {"", "3", "0/3", "4/3", "1/0", "a/b", "1/3x", "-1/3", "1//3", "/3"}) {
    const auto parsed = parse_shard(bad);
    EXPECT_FALSE(parsed) << "accepted '" << bad << "'";
    EXPECT_NE(parsed.error().find("K/N"), std::string::npos) << parsed.error();
  }
}

TEST(ScheduleShard, EveryTestInExactlyOneShardWithAndWithoutTimings) {
  std::mt19937_64 rng(5);
  auto tests = suite(37, 500);
  const auto known = durations_of(tests, skewed(rng, 30));
  for (const auto& timings : {std::vector<KnownDuration>{}, known}) {
    for (int n : {1, 2, 3, 5, 40}) {
      std::multiset<std::size_t> seen;
      for (int k = 1; k <= n; ++k) {
        for (auto i : select_shard(tests, {k, n}, timings)) seen.insert(i);
      }
      ASSERT_EQ(seen.size(), tests.size()) << n;
      for (std::size_t i = 0; i < tests.size(); ++i)
        EXPECT_EQ(seen.count(i), 1u) << "test " << i << " with N=" << n;
    }
  }
}

TEST(ScheduleShard, DeterministicAndIndependentOfDiscoveryOrder) {
  std::mt19937_64 rng(9);
  auto tests = suite(20);
  const auto known = durations_of(tests, skewed(rng, 20));
  auto reversed = tests;
  std::reverse(reversed.begin(), reversed.end());
  for (int k = 1; k <= 3; ++k) {
    const auto a = select_shard(tests, {k, 3}, known);
    EXPECT_EQ(a, select_shard(tests, {k, 3}, known));
    const auto b = select_shard(reversed, {k, 3}, known);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(tests[a[i]].name, reversed[b[i]].name);
  }
}

TEST(ScheduleShard, BalancedBySnapshotDuration) {
  auto tests = suite(7);
  // 8 + 1+1+1+1+1+1: the 8 s test alone on one shard, the rest together.
  const auto known = durations_of(tests, {1, 1, 8, 1, 1, 1, 1});
  const auto shards = partition_shards(tests, 2, known);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0], (std::vector<std::size_t>{2}));
  EXPECT_EQ(shards[1].size(), 6u);
  // Without a snapshot the split is by count: round-robin in (name, file) order.
  const auto by_count = partition_shards(tests, 2, {});
  EXPECT_EQ(by_count[0], (std::vector<std::size_t>{0, 2, 4, 6}));
  EXPECT_EQ(by_count[1], (std::vector<std::size_t>{1, 3, 5}));
}

TEST(ScheduleShard, TestsTheSnapshotDoesNotKnowCostItsMedian) {
  auto tests = suite(5);
  // Snapshot: t100 = 10 s, t101 = 1 s, t102 = 3 s, and two tests not in this
  // set (2 s, 4 s): the median of all five is 3 s. t103 and t104 are new.
  auto known = durations_of(tests, {10, 1, 3});
  known.push_back({"gone/x.clnrm.toml", "x", std::chrono::seconds(2)});
  known.push_back({"gone/y.clnrm.toml", "y", std::chrono::seconds(4)});
  // LPT: 10 -> A; then 3, 3 (t102, t103), 3 (t104), 1 -> B gets 3+3+3 = 9,
  // then t101 (1 s) onto B (9 < 10).
  const auto shards = partition_shards(tests, 2, known);
  EXPECT_EQ(shards[0], (std::vector<std::size_t>{0}));
  EXPECT_EQ(shards[1], (std::vector<std::size_t>{1, 2, 3, 4}));
}

// Two CI machines that checked out in different directories and were given
// absolute paths: with unique names, the same split (and the snapshot still
// matches by name).
TEST(ScheduleShard, TheSplitDoesNotDependOnWhereTheSuiteWasCheckedOut) {
  std::mt19937_64 rng(11);
  const auto here = suite(17);
  auto there = here;
  for (auto& t : there) t.file = "/builds/runner-7/project/" + t.file;
  const auto snapshot = durations_of(here, skewed(rng, 12));
  for (const auto& timings : {std::vector<KnownDuration>{}, snapshot})
    for (int k = 1; k <= 4; ++k)
      EXPECT_EQ(select_shard(here, {k, 4}, timings), select_shard(there, {k, 4}, timings)) << k;
}

TEST(ScheduleShard, EqualOrZeroDurationsAreDealtRoundRobin) {
  auto tests = suite(6);
  // Every test took 0 ns (a clock too coarse): without the tie-break on the
  // number of tests, all would land on shard 1.
  const auto zero = durations_of(tests, {0, 0, 0, 0, 0, 0});
  for (const auto& s : partition_shards(tests, 3, zero)) EXPECT_EQ(s.size(), 2u);
}

// The property the CI matrix relies on (issue: shards overlapped when shard
// 1's recorded durations changed the split of shards 2 and 3): for any test
// set, N and snapshot, shards 1..N partition the set exactly, the split does
// not depend on the order the tests come in, without a snapshot shard sizes
// differ by at most one, and with one no shard exceeds the mean load by more
// than the longest test (greedy list scheduling's bound). Random cases from a
// printed seed; CLNRM_PROPERTY_SEED=S replays one.
TEST(ScheduleShard, PropertyShardsPartitionEveryRandomSetExactly) {
  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("CLNRM_PROPERTY_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("ScheduleShard property seed: %llu (CLNRM_PROPERTY_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  auto below = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", round " << round);
    // Names repeat across directories (matched by file, then unique name).
    std::vector<TestItem> tests;
    std::set<std::pair<std::string, std::string>> ids;
    const std::size_t size = below(120);
    while (tests.size() < size) {
      TestItem t{"d" + std::to_string(below(4)) + "/f" + std::to_string(below(500)) + ".clnrm.toml",
                 "t" + std::to_string(below(300)), below(3000)};
      if (ids.insert({t.file, t.name}).second) tests.push_back(t);
    }
    const int n = 1 + static_cast<int>(below(below(2) ? 8 : 70));
    std::vector<KnownDuration> snapshot;
    if (below(4) != 0) {
      for (const auto& t : tests) {
        if (below(5) == 0) continue;  // added since the snapshot
        // Equal, zero, tiny and huge durations; some under a moved file.
        const auto hour = static_cast<std::int64_t>(rng() % 3'600'000'000'000);
        const std::int64_t ns = below(6) == 0 ? 0 : below(4) == 0 ? 1'000'000 : hour;
        snapshot.push_back({below(10) == 0 ? "moved/" + t.file : t.file, t.name,
                            std::chrono::nanoseconds(ns)});
      }
      for (std::size_t gone = below(5); gone > 0; --gone)  // deleted since the snapshot
        snapshot.push_back({"gone.clnrm.toml", "g" + std::to_string(gone),
                            std::chrono::nanoseconds(rng() % 1'000'000'000)});
    }
    const auto shards = partition_shards(tests, n, snapshot);
    ASSERT_EQ(shards.size(), static_cast<std::size_t>(n));
    std::vector<int> seen(tests.size(), 0);
    for (int k = 1; k <= n; ++k) {
      const auto& mine = shards[static_cast<std::size_t>(k - 1)];
      ASSERT_EQ(select_shard(tests, {k, n}, snapshot), mine);
      for (auto i : mine) {
        ASSERT_LT(i, tests.size());
        ++seen[i];
      }
    }
    for (std::size_t i = 0; i < tests.size(); ++i)
      ASSERT_EQ(seen[i], 1) << tests[i].file << " " << tests[i].name << " with N=" << n;

    // The same split whatever order discovery handed the tests in.
    std::vector<std::size_t> perm(tests.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<TestItem> shuffled;
    for (auto i : perm) shuffled.push_back(tests[i]);
    std::shuffle(snapshot.begin(), snapshot.end(), rng);
    const auto again = partition_shards(shuffled, n, snapshot);
    for (std::size_t k = 0; k < shards.size(); ++k) {
      std::set<std::pair<std::string, std::string>> a, b;
      for (auto i : shards[k]) a.insert({tests[i].file, tests[i].name});
      for (auto i : again[k]) b.insert({shuffled[i].file, shuffled[i].name});
      ASSERT_EQ(a, b) << "shard " << k + 1 << "/" << n;
    }

    if (snapshot.empty()) {
      std::size_t lo = tests.size(), hi = 0;
      for (const auto& s : shards) {
        lo = std::min(lo, s.size());
        hi = std::max(hi, s.size());
      }
      ASSERT_LE(hi - lo, 1u);
    } else {
      // Each test's cost as partition_shards sees it: matched, else the median.
      std::vector<std::int64_t> all;
      for (const auto& k : snapshot) all.push_back(k.median.count());
      std::sort(all.begin(), all.end());
      const std::int64_t typical = all[(all.size() - 1) / 2];
      const auto matched = match_durations(tests, snapshot);
      std::vector<std::int64_t> cost(tests.size());
      for (std::size_t i = 0; i < tests.size(); ++i)
        cost[i] = matched[i] ? matched[i]->count() : typical;
      const long double total = std::accumulate(cost.begin(), cost.end(), 0.0L);
      const std::int64_t longest = cost.empty() ? 0 : *std::max_element(cost.begin(), cost.end());
      for (const auto& s : shards) {
        long double load = 0;
        for (auto i : s) load += static_cast<long double>(cost[i]);
        ASSERT_LE(load, total / n + static_cast<long double>(longest));
      }
    }
  }
}

TEST(ScheduleShard, MoreShardsThanTestsLeavesSomeEmpty) {
  auto shards = partition_shards(suite(2), 4, {});
  EXPECT_EQ(shards[0].size() + shards[1].size(), 2u);
  EXPECT_TRUE(shards[2].empty());
  EXPECT_TRUE(shards[3].empty());
}

TEST(ScheduleMakespan, SimulationAndLowerBound) {
  EXPECT_DOUBLE_EQ(simulate_makespan({3, 3, 2, 2, 2}, 2), 7.0);  // {3,2,2} and {3,2}
  EXPECT_DOUBLE_EQ(makespan_lower_bound({3, 3, 2, 2, 2}, 2), 6.0);
  EXPECT_DOUBLE_EQ(makespan_lower_bound({10, 1, 1}, 2), 10.0);
  EXPECT_DOUBLE_EQ(simulate_makespan({}, 2), 0.0);
}

TEST(ScheduleMakespan, LongestFirstOnTwoWorkersIsWithinTenPercentOfTheBoundOnSkewedSuites) {
  // The target: with history, --order history --jobs 2 on a suite
  // with skewed durations finishes within 10% of max(longest, total/2).
  std::mt19937_64 rng(2024);
  int file_order_misses = 0;
  for (int trial = 0; trial < 50; ++trial) {
    auto tests = suite(40);
    const auto seconds = skewed(rng, 40);
    const auto known = durations_of(tests, seconds);
    auto in_order = [&](const std::vector<std::size_t>& idx) {
      std::vector<double> c;
      for (auto i : idx) c.push_back(seconds[i]);
      return c;
    };
    const double bound = makespan_lower_bound(seconds, 2);
    const double lpt =
        simulate_makespan(in_order(order_tests(tests, parse_order("history").value(), known)), 2);
    EXPECT_LE(lpt, 1.10 * bound) << "trial " << trial;
    EXPECT_GE(lpt, bound - 1e-9);
    if (simulate_makespan(in_order(order_tests(tests, parse_order("file").value(), {})), 2) > 1.10 * bound)
      ++file_order_misses;
  }
  // The check can fail: file order often misses the target on the same suites.
  EXPECT_GT(file_order_misses, 0);
}

TEST(ScheduleRerunFailed, SelectsTheFailedTestsByFileAndName) {
  auto tests = suite(5);
  const std::vector<std::pair<std::string, std::string>> failed = {{tests[3].file, tests[3].name},
                                                                   {"moved.toml", tests[1].name}};
  EXPECT_EQ(select_failed(tests, failed), (std::vector<std::size_t>{1, 3}));
  EXPECT_TRUE(select_failed(tests, {}).empty());
}
