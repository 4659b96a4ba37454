// WatchVerdicts (watch_verdicts.h): verdicts between the runs of a watch.
#include "cli/watch_verdicts.h"

#include <clnrm/control_characters.h>
#include <fmt/format.h>

#include <algorithm>

namespace clnrm::cli {

std::vector<VerdictChange> WatchVerdicts::record(const RunResult& run) {
  // One verdict per test over its repeats, in first-seen order.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, bool> now;
  for (const TestResult& t : run.tests) {
    if (t.status == Status::Skipped) continue;
    const auto key = std::make_pair(t.file, t.name);
    const bool passed = t.status == Status::Passed;
    const auto [it, fresh] = now.emplace(key, passed);
    if (fresh)
      order.push_back(key);
    else
      it->second = it->second && passed;
  }
  std::vector<VerdictChange> changes;
  for (const auto& key : order) {
    const bool passed = now.at(key);
    const auto before = passed_.find(key);
    if (before != passed_.end() && before->second != passed)
      changes.push_back({key.first, key.second, passed});
    passed_[key] = passed;
  }
  return changes;
}

void WatchVerdicts::forget_file(const std::string& file) {
  for (auto it = passed_.begin(); it != passed_.end();)
    it = it->first.first == file ? passed_.erase(it) : std::next(it);
}

std::string describe_changes(const std::vector<VerdictChange>& changes) {
  if (changes.empty()) return "no verdict changed";
  std::string text = "changed verdict:";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const VerdictChange& c = changes[i];
    const bool shared = std::count_if(changes.begin(), changes.end(),
                                      [&](const VerdictChange& o) { return o.name == c.name; }) > 1;
    const std::string who = shared ? fmt::format("{} ({})", c.name, c.file) : c.name;
    text += fmt::format("{} {} {}", i ? "," : "", escape_control_characters(who),
                        c.passes_now ? "failed -> passed" : "passed -> failed");
  }
  return text;
}

std::string list_paths(const std::vector<std::string>& paths, std::size_t shown) {
  std::string text;
  const std::size_t n = std::min(paths.size(), shown);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) text += (i + 1 == paths.size()) ? " and " : ", ";
    text += escape_control_characters(paths[i]);
  }
  if (paths.size() > n) text += fmt::format(" and {} more", paths.size() - n);
  return text;
}

}  // namespace clnrm::cli
