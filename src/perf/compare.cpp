// The regression gate: per-benchmark statistics, Holm across the suite,
// verdicts from the confidence interval, budgets.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include "base/statistics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace clnrm::perf {

using stats::hodges_lehmann;
using stats::holm_adjust;
using stats::mann_whitney;
using stats::MannWhitneyResult;
using stats::median;
using stats::ShiftEstimate;

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::Ok: return "ok";
    case Verdict::Improved: return "improved";
    case Verdict::Warning: return "warning";
    case Verdict::Critical: return "critical";
    case Verdict::Blocker: return "blocker";
    case Verdict::New: return "new";
    case Verdict::Missing: return "missing";
    case Verdict::Failed: return "failed";
  }
  return "ok";
}

std::size_t ComparisonReport::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [&](const BenchmarkComparison& r) { return r.verdict == verdict; }));
}

std::size_t ComparisonReport::budgets_exceeded() const {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [](const BenchmarkComparison& r) { return r.budget_exceeded; }));
}

int ComparisonReport::exit_code() const {
  if (count(Verdict::Blocker) + count(Verdict::Critical) + count(Verdict::Failed) + budgets_exceeded() > 0) return 1;
  if (count(Verdict::Warning) > 0) return 3;
  return 0;
}

namespace {

std::vector<double> logs_of(const std::vector<double>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values)
    if (std::isfinite(v) && v > 0) out.push_back(std::log(v));
  return out;
}

std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> out;
  for (double v : values)
    if (std::isfinite(v)) out.push_back(v);
  return out;
}

}  // namespace

ComparisonReport compare(const BenchmarkResults& base, const BenchmarkResults& fresh, const CompareOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1))
    throw Error(ErrorKind::Usage, fmt::format("must be between 0 and 1, not {}", options.alpha), options.alpha_as);
  ComparisonReport report;
  report.base_source = base.source;
  report.new_source = fresh.source;
  report.options = options;
  const Thresholds defaults = options.thresholds.value_or(default_thresholds(options.metric));

  std::vector<std::size_t> tested;  // rows that got a p-value
  for (const auto& now : fresh.benchmarks) {
    BenchmarkComparison row;
    row.name = now.name;
    row.thresholds = defaults;
    const Budget* budget = options.budgets.match(now.name);
    if (budget) {
      // An explicit --threshold beats the budget file's defaults, but the
      // budget's allowed noise is always added.
      if (budget->thresholds && !options.thresholds) row.thresholds = *budget->thresholds;
      row.thresholds.warning += budget->noise;
      row.thresholds.critical += budget->noise;
      row.thresholds.blocker += budget->noise;
      row.ceiling = options.metric == Metric::Instructions ? budget->max_instructions : budget->max_ns;
    } else if (options.budgets.default_noise > 0) {
      row.thresholds.warning += options.budgets.default_noise;
      row.thresholds.critical += options.budgets.default_noise;
      row.thresholds.blocker += options.budgets.default_noise;
    }
    const std::vector<double> y = finite(now.values);
    row.n_new = y.size();
    if (!y.empty()) row.median_new = median(y);
    if (row.ceiling && !y.empty() && row.median_new > *row.ceiling) {
      row.budget_exceeded = true;
      row.note = fmt::format("median {} exceeds the budget {} ({})", format_value(row.median_new, options.metric),
                             format_value(*row.ceiling, options.metric), budget->source);
    }
    if (!now.error.empty()) {
      row.verdict = Verdict::Failed;
      row.note = "the new run failed: " + now.error;
      report.rows.push_back(std::move(row));
      continue;
    }
    const BenchmarkSamples* before = base.find(now.name);
    if (!before || finite(before->values).empty()) {
      row.verdict = Verdict::New;
      if (row.note.empty()) row.note = before ? "the base run failed or has no samples" : "not in the base run";
      report.rows.push_back(std::move(row));
      continue;
    }
    const std::vector<double> x = finite(before->values);
    row.n_base = x.size();
    row.median_base = median(x);
    row.median_change = row.median_base > 0 ? row.median_new / row.median_base - 1 : 0;
    const auto lx = logs_of(x), ly = logs_of(y);
    if (!lx.empty() && !ly.empty()) {
      const ShiftEstimate shift = hodges_lehmann(lx, ly, 1 - options.alpha);
      row.ratio = std::exp(shift.estimate);
      row.ratio_low = std::exp(shift.low);
      row.ratio_high = std::exp(shift.high);
      const MannWhitneyResult mw = mann_whitney(lx, ly);
      row.p_value = mw.p_value;
      row.exact = mw.exact;
      tested.push_back(report.rows.size());
    }
    if (row.n_base < 3 || row.n_new < 3) {
      const std::string why = fmt::format("{} vs {} samples: too few for a verdict (run with --benchmark_repetitions=10)",
                                          row.n_base, row.n_new);
      row.note = row.note.empty() ? why : row.note + "; " + why;
    }
    report.rows.push_back(std::move(row));
  }

  std::vector<double> p;
  for (std::size_t i : tested) p.push_back(report.rows[i].p_value);
  const std::vector<double> adjusted = holm_adjust(p);
  for (std::size_t k = 0; k < tested.size(); ++k) {
    auto& row = report.rows[tested[k]];
    row.p_adjusted = adjusted[k];
    if (row.p_adjusted >= options.alpha) continue;  // not significant: no verdict, however large
    const double slowdown = row.ratio_low - 1;
    if (slowdown >= row.thresholds.blocker) {
      row.verdict = Verdict::Blocker;
    } else if (slowdown >= row.thresholds.critical) {
      row.verdict = Verdict::Critical;
    } else if (slowdown >= row.thresholds.warning) {
      row.verdict = Verdict::Warning;
    } else if (row.ratio_high <= 1 / (1 + row.thresholds.warning)) {
      // Symmetric on the log scale: as sure and as large as a warning.
      row.verdict = Verdict::Improved;
    }
  }

  std::set<std::string> present;
  for (const auto& b : fresh.benchmarks) present.insert(b.name);
  for (const auto& b : base.benchmarks) {
    if (present.count(b.name)) continue;
    BenchmarkComparison row;
    row.name = b.name;
    row.n_base = b.values.size();
    if (!b.values.empty()) row.median_base = median(finite(b.values));
    row.verdict = Verdict::Missing;
    row.note = "in the base run, not in the new one";
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace clnrm::perf
