#include "suite/planning.h"

#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/schedule.h>
#include <clnrm/timing_snapshot.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace clnrm::suite {
namespace {

struct HistoryFacts {
  std::vector<schedule::KnownDuration> known;
  std::vector<std::pair<std::string, std::string>> failed;
};

// Reads what planning needs; a DB that cannot be read is a note, not an error
// (history is a side channel), except for --rerun-failed which needs it.
// Only --order history and --rerun-failed read it: a shard is never a
// function of the live history, which changes between shard runs.
HistoryFacts read_history(const SuitePlanning& flags, const schedule::Order& order,
                          const std::string& db, std::string& note) {
  HistoryFacts facts;
  if (db.empty() || (order.kind != schedule::Order::Kind::History && !flags.rerun_failed))
    return facts;
  if (!history::history_exists(db)) {
    if (flags.rerun_failed)
      throw Error(ErrorKind::Usage, flags.rerun_failed_as + " needs run history, and there is none yet", db);
    return facts;
  }
  try {
    history::StoreOptions ro;
    ro.read_only = true;
    history::Store store(db, ro);
    for (const auto& d : history::median_durations(store))
      facts.known.push_back({d.file, d.test, std::chrono::nanoseconds(d.median_ns)});
    if (flags.rerun_failed) facts.failed = history::failed_in_last_complete_run(store);
  } catch (const Error& e) {
    if (flags.rerun_failed) throw;
    note = "history not used for planning: " + e.describe();
  }
  return facts;
}

}  // namespace

OrderingFunction make_ordering(const SuitePlanning& flags, const std::string& history_db,
                               std::string& note) {
  const auto parsed_order = schedule::parse_order(flags.order);
  if (!parsed_order) throw Error(ErrorKind::Usage, parsed_order.error(), flags.order_as);
  const schedule::Order order = *parsed_order;
  std::optional<schedule::Shard> shard;
  if (!flags.shard.empty()) {
    const auto parsed = schedule::parse_shard(flags.shard);
    if (!parsed)
      throw Error(ErrorKind::Usage, flags.shard_as + " '" + flags.shard + "': " + parsed.error(), flags.shard_as);
    shard = *parsed;
  }
  if (!flags.timings.empty() && !shard)
    throw Error(ErrorKind::Usage, "acts only together with " + flags.shard_as + " K/N", flags.timings_as);
  // Read before anything runs, so a bad file stops the run at once.
  std::vector<schedule::KnownDuration> timings;
  std::string timings_taken;
  if (!flags.timings.empty()) {
    const history::TimingSnapshot snapshot = history::read_timing_snapshot(flags.timings);
    timings_taken = snapshot.taken_at;
    for (const auto& t : snapshot.tests)
      timings.push_back({t.file, t.test, std::chrono::nanoseconds(t.median_ns)});
  }
  if (order.kind == schedule::Order::Kind::File && !shard && !flags.rerun_failed) return nullptr;
  if (order.kind == schedule::Order::Kind::Random && !order.seed_given)
    note = fmt::format("test order: {} (pass {} {} to repeat it)", schedule::to_string(order), flags.order_as,
                       schedule::to_string(order));
  if (history_db.empty() && (order.kind == schedule::Order::Kind::History || flags.rerun_failed))
    throw Error(ErrorKind::Usage, fmt::format("{} history and {} need history, and this run keeps none",
                                              flags.order_as, flags.rerun_failed_as));

  return [flags, history_db, order, shard, timings, timings_taken,
          &note](const std::vector<TestSpec>& tests) {
    std::vector<schedule::TestItem> items;
    items.reserve(tests.size());
    for (const TestSpec& t : tests) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(t.file, ec);
      items.push_back({t.file, t.name, ec ? 0 : size});
    }
    const HistoryFacts facts = read_history(flags, order, history_db, note);
    std::vector<std::size_t> ordered = schedule::order_tests(items, order, facts.known);
    auto keep_only = [&](const std::vector<std::size_t>& subset) {
      const std::set<std::size_t> wanted(subset.begin(), subset.end());
      std::erase_if(ordered, [&](std::size_t i) { return !wanted.count(i); });
    };
    if (shard) {
      const auto mine = schedule::select_shard(items, *shard, timings);
      keep_only(mine);
      const std::string by =
          flags.timings.empty()
              ? fmt::format("by test count (no {})", flags.timings_as)
              : fmt::format("by the durations in {} (taken {})", flags.timings, timings_taken);
      note += fmt::format("{}shard {}/{}: {} of {} tests, split {}", note.empty() ? "" : "; ",
                          shard->index, shard->count, mine.size(), items.size(), by);
    }
    if (flags.rerun_failed) keep_only(schedule::select_failed(items, facts.failed));
    return ordered;
  };
}

}  // namespace clnrm::suite
