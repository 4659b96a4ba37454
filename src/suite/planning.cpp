#include "suite/planning.h"

#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/schedule.h>
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
HistoryFacts read_history(const SuitePlanning& flags, const std::string& db, std::string& note) {
  HistoryFacts facts;
  if (db.empty()) return facts;
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    if (flags.rerun_failed)
      throw Error(ErrorKind::Usage, "--rerun-failed needs run history, and there is none yet",
                  db);
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
  const schedule::Order order = schedule::parse_order(flags.order);
  std::optional<schedule::Shard> shard;
  if (!flags.shard.empty()) {
    const auto parsed = schedule::parse_shard(flags.shard);
    if (!parsed) throw Error(ErrorKind::Usage, "--shard '" + flags.shard + "': " + parsed.error(), "--shard");
    shard = *parsed;
  }
  if (order.kind == schedule::Order::Kind::File && !shard && !flags.rerun_failed) return nullptr;
  if (order.kind == schedule::Order::Kind::Random && !order.seed_given)
    note = fmt::format("test order: {} (pass --order {} to repeat it)", schedule::to_string(order),
                       schedule::to_string(order));
  if (history_db.empty() && (order.kind == schedule::Order::Kind::History || flags.rerun_failed))
    throw Error(ErrorKind::Usage,
                "--order history and --rerun-failed need history; drop --no-history");

  return [flags, history_db, order, shard, &note](const std::vector<TestSpec>& tests) {
    std::vector<schedule::TestItem> items;
    items.reserve(tests.size());
    for (const TestSpec& t : tests) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(t.file, ec);
      items.push_back({t.file, t.name, ec ? 0 : size});
    }
    const HistoryFacts facts = read_history(flags, history_db, note);
    std::vector<std::size_t> ordered = schedule::order_tests(items, order, facts.known);
    auto keep_only = [&](const std::vector<std::size_t>& subset) {
      const std::set<std::size_t> wanted(subset.begin(), subset.end());
      std::erase_if(ordered, [&](std::size_t i) { return !wanted.count(i); });
    };
    if (shard) keep_only(schedule::select_shard(items, *shard, facts.known));
    if (flags.rerun_failed) keep_only(schedule::select_failed(items, facts.failed));
    return ordered;
  };
}

}  // namespace clnrm::suite
