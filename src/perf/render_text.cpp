// Plain-text comparison table for terminals and CI logs.
#include <clnrm/perf.h>

#include <fmt/format.h>

namespace clnrm::perf {

namespace {

std::string ratio_cell(const BenchmarkComparison& r) {
  if (r.n_base == 0 || r.n_new == 0) return "";
  return fmt::format("{:.3f} [{:.3f}, {:.3f}]", r.ratio, r.ratio_low, r.ratio_high);
}

}  // namespace

std::string summary_line(const ComparisonReport& report) {
  return fmt::format("{} benchmarks: {} blocker, {} critical, {} warning, {} improved, {} new, {} missing, {} failed, "
                     "{} over budget",
                     report.rows.size(), report.count(Verdict::Blocker), report.count(Verdict::Critical),
                     report.count(Verdict::Warning), report.count(Verdict::Improved), report.count(Verdict::New),
                     report.count(Verdict::Missing), report.count(Verdict::Failed), report.budgets_exceeded());
}

std::string render_text(const ComparisonReport& report) {
  const auto metric = report.options.metric;
  std::size_t width = 9;
  for (const auto& r : report.rows) width = std::max(width, r.name.size());
  std::string out = fmt::format("base: {}\nnew:  {}\nmetric: {}, alpha {} (Holm-corrected), interval {:.0f}%\n\n",
                                report.base_source, report.new_source, to_string(metric), report.options.alpha,
                                (1 - report.options.alpha) * 100);
  out += fmt::format("{:<{}}  {:>12}  {:>12}  {:>8}  {:>28}  {:>9}  {:>9}  {}\n", "benchmark", width, "base", "new",
                     "median", "ratio [CI]", "p", "p(Holm)", "verdict");
  for (const auto& r : report.rows) {
    out += fmt::format("{:<{}}  {:>12}  {:>12}  {:>8}  {:>28}  {:>9.3g}  {:>9.3g}  {}", r.name, width,
                       r.n_base ? format_value(r.median_base, metric) : "-",
                       r.n_new ? format_value(r.median_new, metric) : "-",
                       r.n_base && r.n_new ? format_percent(r.median_change) : "", ratio_cell(r), r.p_value,
                       r.p_adjusted, to_string(r.verdict));
    if (r.budget_exceeded) out += " OVER BUDGET";
    if (!r.note.empty()) out += "  (" + r.note + ")";
    out += '\n';
  }
  out += '\n' + summary_line(report) + '\n';
  return out;
}

}  // namespace clnrm::perf
