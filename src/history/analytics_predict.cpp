// `clnrm history predict`: probability that each test fails on its next run.
//
// p = (s * base + sum_i w_i f_i) / (s + sum_i w_i)
//   f_i = 1 when run i failed, w_i = 0.5^(age_i / half_life), age 0 = latest;
//   base = the suite-wide failure rate over the same windows (the Beta prior's
//   mean), s = prior strength in pseudo-runs.
// A test with little history stays near the suite's rate instead of jumping
// to 0% or 100%; recent runs count more than old ones. Nothing else: no
// fixed scores.
#include <algorithm>
#include <tuple>
#include <cmath>
#include <deque>

#include "history/internal.h"

namespace clnrm::history {

PredictReport predict_failures(Store& store, const PredictOptions& options) {
  auto& conn = store.impl().conn;
  sql::Statement q(conn.handle(),
                   "SELECT test, file, status FROM executions INDEXED BY executions_test_history"
                   " WHERE step = '' ORDER BY test, file, run_id",
                   conn.path());
  struct History {
    std::string file, test;
    std::deque<bool> failed;  // oldest first, at most options.window
  };
  std::vector<History> tests;
  while (q.step()) {
    if (tests.empty() || q.text_view(0) != tests.back().test || q.text_view(1) != tests.back().file) {
      tests.push_back({q.text(1), q.text(0), {}});
    }
    const auto status = status_from_text(q.text_view(2));
    if (!status || !is_outcome(*status)) continue;
    auto& h = tests.back().failed;
    h.push_back(is_failure(*status));
    if (h.size() > std::max<std::size_t>(options.window, 1)) h.pop_front();
  }

  PredictReport report;
  double outcomes = 0, failures = 0;
  for (const auto& t : tests) {
    outcomes += static_cast<double>(t.failed.size());
    failures += static_cast<double>(std::count(t.failed.begin(), t.failed.end(), true));
  }
  report.base_rate = outcomes > 0 ? failures / outcomes : 0.0;
  const double half_life = std::max(options.half_life_runs, 1e-6);
  const double s = std::max(options.prior_strength, 0.0);
  for (const auto& t : tests) {
    if (t.failed.empty()) continue;
    Prediction p;
    p.file = t.file;
    p.test = t.test;
    double weighted_failures = 0, weights = 0;
    const auto n = t.failed.size();
    for (std::size_t i = 0; i < n; ++i) {
      const double age = static_cast<double>(n - 1 - i);
      const double w = std::pow(0.5, age / half_life);
      weights += w;
      weighted_failures += t.failed[i] ? w : 0.0;
      p.failures += t.failed[i];
    }
    p.runs = static_cast<std::int64_t>(n);
    p.effective_runs = weights;
    p.probability = (s * report.base_rate + weighted_failures) / (s + weights);
    report.tests.push_back(std::move(p));
  }
  std::sort(report.tests.begin(), report.tests.end(), [](const Prediction& a, const Prediction& b) {
    if (a.probability != b.probability) return a.probability > b.probability;
    return std::tie(a.test, a.file) < std::tie(b.test, b.file);
  });
  return report;
}

}  // namespace clnrm::history
