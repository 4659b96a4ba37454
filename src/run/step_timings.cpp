// Per-step min/median/p95 over repeats and the max_duration budget check.
#include <clnrm/step_timings.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "base/statistics.h"

namespace clnrm {
namespace {

using Key = std::tuple<std::string, std::string, std::string, std::string>;

Key key_of(const TestResult& t, const StepResult& s) {
  return {t.file, t.name, s.scenario, s.name};
}

const StepSpec* find_step(const std::vector<TestSpec>& tests, const Key& k) {
  const auto& [file, test, scenario, step] = k;
  for (const TestSpec& t : tests) {
    if (t.file != file || t.name != test) continue;
    if (scenario.empty()) {
      for (const StepSpec& s : t.steps)
        if (s.name == step) return &s;
    } else {
      for (const ScenarioSpec& sc : t.scenarios)
        if (sc.name == scenario)
          for (const StepSpec& s : sc.steps)
            if (s.name == step) return &s;
    }
  }
  return nullptr;
}

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds>& values, double p) {
  if (values.empty()) return std::chrono::nanoseconds{0};
  std::sort(values.begin(), values.end());
  return values[stats::nearest_rank_index(values.size(), p)];
}

std::vector<StepTiming> step_timings(const RunResult& run, const std::vector<TestSpec>& tests) {
  std::vector<Key> order;
  std::map<Key, std::vector<std::chrono::nanoseconds>> durations;
  for (const TestResult& t : run.tests) {
    for (const StepResult& s : t.steps) {
      if (s.status == Status::Skipped) continue;
      Key k = key_of(t, s);
      auto [it, inserted] = durations.try_emplace(k);
      if (inserted) order.push_back(k);
      it->second.push_back(s.duration);
    }
  }
  std::vector<StepTiming> out;
  out.reserve(order.size());
  for (const Key& k : order) {
    std::vector<std::chrono::nanoseconds>& d = durations[k];
    StepTiming& st = out.emplace_back();
    std::tie(st.file, st.test, st.scenario, st.step) = k;
    st.runs = static_cast<int>(d.size());
    st.min = percentile(d, 0);
    st.max = d.back();
    std::vector<std::int64_t> ns;
    ns.reserve(d.size());
    for (const auto& v : d) ns.push_back(v.count());
    // Truncated to whole ns as the integer mean of the two middle values was.
    st.median = std::chrono::nanoseconds(static_cast<std::int64_t>(stats::median_of_integers(ns)));
    st.p95 = percentile(d, 95);
    if (const StepSpec* spec = find_step(tests, k); spec && spec->max_duration) {
      st.budget = spec->max_duration;
      st.over_budget = st.median > *st.budget;
    }
  }
  return out;
}

std::string describe_budget_failure(const StepTiming& t) {
  const std::string where = t.scenario.empty() ? t.step : t.scenario + "/" + t.step;
  return fmt::format("step '{}' (test '{}'): median {} over max_duration {} ({} run{})", where,
                     t.test, format_duration(t.median), format_duration(*t.budget), t.runs,
                     t.runs == 1 ? "" : "s");
}

int apply_step_budgets(RunResult& run, const std::vector<StepTiming>& timings) {
  int over = 0;
  for (const StepTiming& timing : timings) {
    if (!timing.over_budget) continue;
    ++over;
    const std::string message = describe_budget_failure(timing);
    for (TestResult& t : run.tests) {
      if (t.file != timing.file || t.name != timing.test) continue;
      for (StepResult& s : t.steps) {
        if (s.scenario != timing.scenario || s.name != timing.step || s.status == Status::Skipped)
          continue;
        s.assertions.push_back({"max_duration", false, message});
        if (s.status == Status::Passed) {
          s.status = Status::Failed;
          s.message = message;
        }
      }
      if (t.status == Status::Passed) {
        t.status = Status::Failed;
        t.message = message;
      }
    }
  }
  return over;
}

nlohmann::json step_timings_to_json(const std::vector<StepTiming>& timings) {
  nlohmann::json out = nlohmann::json::array();
  for (const StepTiming& t : timings) {
    out.push_back({{"file", t.file},
                   {"test", t.test},
                   {"scenario", t.scenario},
                   {"step", t.step},
                   {"runs", t.runs},
                   {"min_ms", ms(t.min)},
                   {"median_ms", ms(t.median)},
                   {"p95_ms", ms(t.p95)},
                   {"max_ms", ms(t.max)},
                   {"max_duration_ms", t.budget ? nlohmann::json(ms(*t.budget)) : nlohmann::json()},
                   {"over_budget", t.over_budget}});
  }
  return out;
}

}  // namespace clnrm
