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
#include <cmath>
#include <tuple>

#include "history/test_rows.h"

namespace clnrm::history {

PredictReport predict_failures(Store& store, const PredictOptions& options) {
  struct History {
    std::string file, test;
    std::vector<bool> failed;  // oldest first, at most options.window
  };
  std::vector<History> tests;
  const auto window = std::max<std::size_t>(options.window, 1);
  for (auto& h : load_test_histories(store)) {
    History t{std::move(h.file), std::move(h.test), {}};
    for (auto it = h.rows.rbegin(); it != h.rows.rend() && t.failed.size() < window; ++it) {
      if (is_outcome(it->status)) t.failed.push_back(is_failure(it->status));
    }
    std::reverse(t.failed.begin(), t.failed.end());
    tests.push_back(std::move(t));
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
