#pragma once
// Test scheduling: run order (--order file|random[:seed]|history), sharding
// across CI machines (--shard K/N) and --rerun-failed selection. Pure
// functions over a list of tests and known durations (history's medians for
// --order history; a timing snapshot for --shard): no I/O, deterministic for
// equal inputs.
//
// Every function returns indexes into the `tests` vector it was given.

#include <clnrm/parsed.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clnrm::schedule {

struct TestItem {
  std::string file;  // as the runner records it in history
  std::string name;
  std::uintmax_t file_size = 0;  // bytes; 0 = unknown
};

struct KnownDuration {
  std::string file, name;
  std::chrono::nanoseconds median{0};
};

// What the cost of a test is measured in.
enum class CostBasis {
  History,   // seconds from history; tests without history get the median of the known ones
  FileSize,  // no history at all: bytes of the test file (bigger files tend to do more)
  Count      // no history, sizes unknown: every test costs 1
};
std::string_view to_string(CostBasis basis) noexcept;

struct Costs {
  std::vector<double> cost;  // one per test, in the unit of `basis`
  CostBasis basis = CostBasis::Count;
  std::size_t known = 0;  // tests that had history
};
// A test matches history by (file, name), else by name when only one known
// test has that name (the file was moved).
Costs estimate_costs(const std::vector<TestItem>& tests, const std::vector<KnownDuration>& history);

struct Order {
  enum class Kind { File, Random, History };
  Kind kind = Kind::File;
  std::uint64_t seed = 0;  // Random: always set (drawn when not given)
  bool seed_given = false;
};
// "file" | "random" | "random:SEED" | "history"; a failure otherwise.
Parsed<Order> parse_order(std::string_view text);
// "random:SEED" with the seed actually used, so a run can be reproduced.
std::string to_string(const Order& order);

// file: by file path, then name. random: Fisher-Yates with mt19937_64(seed)
// (same seed, same order on every platform). history: longest first (LPT),
// ties by file and name, so parallel lanes finish together.
std::vector<std::size_t> order_tests(const std::vector<TestItem>& tests, const Order& order,
                                     const std::vector<KnownDuration>& history);

struct Shard {
  int index = 1;  // K, 1-based
  int count = 1;  // N
};
// "K/N" with 1 <= K <= N, or why not.
Parsed<Shard> parse_shard(std::string_view text);

// The durations of `known` that each test matches: by (file, name), else by
// name when exactly one known test has that name (the file was moved);
// nullopt for a test it does not know. One matching for ordering and shards.
std::vector<std::optional<std::chrono::nanoseconds>> match_durations(
    const std::vector<TestItem>& tests, const std::vector<KnownDuration>& known);

// All N shards, a pure function of (tests, N, timings): every test is in
// exactly one shard, and every machine computes the same split from the same
// inputs, whatever its history holds (docs/running-tests.md, "Sharding across CI machines").
// `timings` is a snapshot all shards share (clnrm history timings), never the
// live history. A test's cost is its snapshot duration; a test the snapshot
// does not know costs the snapshot's median; without a snapshot every test
// costs the same. Greedy LPT: tests by cost (descending; ties by name, then
// file), each onto the shard with the least cost (ties: fewest tests, then
// lowest index). With equal costs this deals the tests round-robin in (name,
// file) order, so shard sizes differ by at most one. Integer nanoseconds: no
// rounding can differ between machines. Each shard lists its tests in (name,
// file) order.
std::vector<std::vector<std::size_t>> partition_shards(const std::vector<TestItem>& tests,
                                                       int count,
                                                       const std::vector<KnownDuration>& timings);
std::vector<std::size_t> select_shard(const std::vector<TestItem>& tests, const Shard& shard,
                                      const std::vector<KnownDuration>& timings);

// The tests that failed in the last complete run (history::failed_in_last_complete_run),
// matched by (file, name), else by name; in the given order.
std::vector<std::size_t> select_failed(
    const std::vector<TestItem>& tests,
    const std::vector<std::pair<std::string, std::string>>& failed);

// Makespan of list scheduling: `workers` lanes each take the next test in
// `costs` order as soon as they are free (what the runner's --jobs does).
double simulate_makespan(const std::vector<double>& costs, int workers);
// max(longest, total / workers): no schedule can beat it.
double makespan_lower_bound(const std::vector<double>& costs, int workers);

}  // namespace clnrm::schedule
