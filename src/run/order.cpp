// Run order: --order file|random[:seed]|history, and the cost estimates it
// shares with sharding.
#include <clnrm/schedule.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <tuple>

#include "base/statistics.h"

namespace clnrm::schedule {

std::string_view to_string(CostBasis basis) noexcept {
  switch (basis) {
    case CostBasis::History:
      return "history";
    case CostBasis::FileSize:
      return "file size";
    case CostBasis::Count:
      return "count";
  }
  return "?";
}

std::vector<std::optional<std::chrono::nanoseconds>> match_durations(
    const std::vector<TestItem>& tests, const std::vector<KnownDuration>& known) {
  std::map<std::pair<std::string, std::string>, std::chrono::nanoseconds> by_key;
  // the duration, how many known tests have the name
  std::map<std::string, std::pair<std::chrono::nanoseconds, int>> by_name;
  for (const auto& k : known) {
    by_key[{k.file, k.name}] = k.median;
    auto& [d, n] = by_name[k.name];
    d = k.median;
    ++n;
  }
  std::vector<std::optional<std::chrono::nanoseconds>> out(tests.size());
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (auto it = by_key.find({tests[i].file, tests[i].name}); it != by_key.end())
      out[i] = it->second;
    else if (auto n = by_name.find(tests[i].name); n != by_name.end() && n->second.second == 1)
      out[i] = n->second.first;
  }
  return out;
}

Costs estimate_costs(const std::vector<TestItem>& tests,
                     const std::vector<KnownDuration>& history) {
  const auto matched = match_durations(tests, history);
  Costs c;
  c.cost.assign(tests.size(), -1.0);
  std::vector<double> known;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (!matched[i]) continue;
    c.cost[i] = std::chrono::duration<double>(*matched[i]).count();
    known.push_back(c.cost[i]);
  }
  c.known = known.size();
  if (!known.empty()) {
    // Unknown tests (new ones) are assumed typical: the median of the known.
    const double typical = stats::median(known);
    for (auto& x : c.cost) {
      if (x < 0) x = typical;
    }
    c.basis = CostBasis::History;
    return c;
  }
  const bool sizes =
      !tests.empty() &&
      std::all_of(tests.begin(), tests.end(), [](const TestItem& t) { return t.file_size > 0; });
  for (std::size_t i = 0; i < tests.size(); ++i)
    c.cost[i] = sizes ? static_cast<double>(tests[i].file_size) : 1.0;
  c.basis = sizes ? CostBasis::FileSize : CostBasis::Count;
  return c;
}

Parsed<Order> parse_order(std::string_view text) {
  Order o;
  if (text == "file") return o;
  if (text == "history") {
    o.kind = Order::Kind::History;
    return o;
  }
  if (text == "random" || text.starts_with("random:")) {
    o.kind = Order::Kind::Random;
    if (text == "random") {
      std::random_device rd;
      o.seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
      return o;
    }
    const auto digits = text.substr(7);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), o.seed);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
      return Parsed<Order>::failure("random:SEED needs an unsigned integer seed, got '" +
                                    std::string(digits) + "'");
    o.seed_given = true;
    return o;
  }
  return Parsed<Order>::failure("unknown order '" + std::string(text) +
                                "' (use file, random, random:SEED or history)");
}

std::string to_string(const Order& order) {
  switch (order.kind) {
    case Order::Kind::File:
      return "file";
    case Order::Kind::History:
      return "history";
    case Order::Kind::Random:
      return "random:" + std::to_string(order.seed);
  }
  return "file";
}

namespace {

bool file_order_less(const TestItem& a, const TestItem& b) {
  return std::tie(a.file, a.name) < std::tie(b.file, b.name);
}

// Uniform in [0, bound) from a 64-bit engine by rejection: the standard
// distributions are implementation-defined, this is the same everywhere.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % bound;
}

}  // namespace

std::vector<std::size_t> order_tests(const std::vector<TestItem>& tests, const Order& order,
                                     const std::vector<KnownDuration>& history) {
  std::vector<std::size_t> idx(tests.size());
  std::iota(idx.begin(), idx.end(), 0);
  // Start from file order so the result does not depend on discovery order.
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return file_order_less(tests[a], tests[b]);
  });
  switch (order.kind) {
    case Order::Kind::File:
      break;
    case Order::Kind::Random: {
      std::mt19937_64 rng(order.seed);
      for (std::size_t i = idx.size(); i > 1; --i)
        std::swap(idx[i - 1], idx[uniform_below(rng, i)]);
      break;
    }
    case Order::Kind::History: {
      const auto costs = estimate_costs(tests, history);
      std::stable_sort(idx.begin(), idx.end(),
                       [&](std::size_t a, std::size_t b) { return costs.cost[a] > costs.cost[b]; });
      break;
    }
  }
  return idx;
}

std::vector<std::size_t> select_failed(
    const std::vector<TestItem>& tests,
    const std::vector<std::pair<std::string, std::string>>& failed) {
  std::map<std::string, int> names;
  for (const auto& [file, name] : failed) ++names[name];
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const bool exact = std::any_of(failed.begin(), failed.end(), [&](const auto& f) {
      return f.first == tests[i].file && f.second == tests[i].name;
    });
    if (exact || names.count(tests[i].name)) out.push_back(i);
  }
  return out;
}

double simulate_makespan(const std::vector<double>& costs, int workers) {
  std::vector<double> lanes(static_cast<std::size_t>(std::max(workers, 1)), 0.0);
  for (double c : costs) *std::min_element(lanes.begin(), lanes.end()) += c;
  return lanes.empty() ? 0.0 : *std::max_element(lanes.begin(), lanes.end());
}

double makespan_lower_bound(const std::vector<double>& costs, int workers) {
  if (costs.empty()) return 0.0;
  const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
  return std::max(*std::max_element(costs.begin(), costs.end()), total / std::max(workers, 1));
}

}  // namespace clnrm::schedule
