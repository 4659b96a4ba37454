// Markdown comparison: the body of a PR comment.
#include <clnrm/perf.h>

#include <fmt/format.h>

namespace clnrm::perf {

namespace {

std::string_view icon(const BenchmarkComparison& r) {
  if (r.budget_exceeded) return "⛔";
  switch (r.verdict) {
    case Verdict::Blocker: return "⛔";
    case Verdict::Critical: return "🔴";
    case Verdict::Warning: return "🟡";
    case Verdict::Improved: return "🟢";
    case Verdict::Failed: return "❌";
    default: return "";
  }
}

std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string render_markdown(const ComparisonReport& report) {
  const auto metric = report.options.metric;
  const int code = report.exit_code();
  std::string out = "## Benchmark comparison\n\n";
  out += code == 1 ? "**Regression gate: FAILED**" : code == 3 ? "**Regression gate: warnings**" : "**Regression gate: passed**";
  out += fmt::format(" — {}\n\n", summary_line(report));
  out += fmt::format(
      "Metric `{}`. A verdict needs a Holm-corrected two-sided Mann–Whitney p < {} **and** the lower bound of the "
      "{:.0f}% Hodges–Lehmann interval of new/base above the threshold.\n\n",
      to_string(metric), report.options.alpha, (1 - report.options.alpha) * 100);
  out += "| | benchmark | base | new | median Δ | ratio [CI] | p (Holm) | verdict |\n";
  out += "|---|---|---:|---:|---:|---|---:|---|\n";
  for (const auto& r : report.rows) {
    std::string verdict(to_string(r.verdict));
    if (r.budget_exceeded) verdict += ", over budget";
    if (!r.note.empty()) verdict += " — " + r.note;
    out += fmt::format("| {} | `{}` | {} | {} | {} | {} | {:.3g} | {} |\n", icon(r), cell(r.name),
                       r.n_base ? format_value(r.median_base, metric) : "–",
                       r.n_new ? format_value(r.median_new, metric) : "–",
                       r.n_base && r.n_new ? format_percent(r.median_change) : "",
                       r.n_base && r.n_new ? fmt::format("{:.3f} [{:.3f}, {:.3f}]", r.ratio, r.ratio_low, r.ratio_high)
                                           : "",
                       r.p_adjusted, cell(verdict));
  }
  out += fmt::format("\n<sub>base: `{}` · new: `{}` · thresholds warning/critical/blocker on the CI lower bound",
                     cell(report.base_source), cell(report.new_source));
  const Thresholds t = report.options.thresholds.value_or(default_thresholds(metric));
  out += fmt::format(" {}/{}/{} (plus budget noise)</sub>\n", format_percent(t.warning), format_percent(t.critical),
                     format_percent(t.blocker));
  return out;
}

}  // namespace clnrm::perf
