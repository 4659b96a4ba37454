// Self-contained HTML comparison: inline CSS and SVG, no scripts, no network.
#include <clnrm/perf.h>

#include "base/html_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include "base/markup_escape.h"

namespace clnrm::perf {

namespace {

std::string_view verdict_class(const BenchmarkComparison& r) {
  if (r.budget_exceeded) return "blocker";
  switch (r.verdict) {
    case Verdict::Blocker: return "blocker";
    case Verdict::Critical: return "critical";
    case Verdict::Warning: return "warning";
    case Verdict::Improved: return "improved";
    case Verdict::Failed: return "blocker";
    default: return "ok";
  }
}

// One row per benchmark: the ratio interval on a log axis, 1.0 marked, the
// warning threshold dashed.
std::string interval_plot(const ComparisonReport& report) {
  std::vector<const BenchmarkComparison*> rows;
  for (const auto& r : report.rows)
    if (r.n_base && r.n_new && std::isfinite(r.ratio_low) && r.ratio_low > 0) rows.push_back(&r);
  if (rows.empty()) return {};
  double lo = 0.5, hi = 2.0;
  for (const auto* r : rows) {
    lo = std::min(lo, r->ratio_low);
    hi = std::max(hi, r->ratio_high);
  }
  lo = std::max(lo, 1e-3);
  hi = std::min(hi, 1e3);
  const double left = 10, width = 560, row_h = 18;
  const double height = row_h * static_cast<double>(rows.size()) + 30;
  auto x = [&](double ratio) {
    const double v = std::clamp(std::log(ratio), std::log(lo), std::log(hi));
    return left + (v - std::log(lo)) / (std::log(hi) - std::log(lo)) * width;
  };
  std::string svg = html::svg_open(left * 2 + width, height,
                                   "ratio new/base with confidence interval per benchmark", "forest") +
                    "\n";
  svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1:.1f}\" class=\"one\"/>\n", x(1.0),
                     height - 20);
  const Thresholds t = report.options.thresholds.value_or(default_thresholds(report.options.metric));
  svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1:.1f}\" class=\"threshold\"/>\n",
                     x(1 + t.warning), height - 20);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = *rows[i];
    const double y = row_h * static_cast<double>(i) + row_h / 2;
    svg += fmt::format(
        "<g class=\"{}\"><title>{}: {:.3f} [{:.3f}, {:.3f}]</title>"
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"/></g>\n",
        verdict_class(r), html_escape(r.name), r.ratio, r.ratio_low, r.ratio_high, x(r.ratio_low), x(r.ratio_high), y,
        y, x(r.ratio), y);
  }
  for (double tick : {0.5, 1.0, 1.5, 2.0}) {
    if (tick < lo || tick > hi) continue;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}×</text>\n", x(tick), height - 5, tick);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace

namespace {
// The bench pages' own classes (verdict rows, the change and trend charts);
// palette, type and tables are the shared stylesheet's (src/base/html_page.cpp).
constexpr std::string_view kBenchCss = R"css(
body{padding:1.5em 2em}
table{margin:1em 0;background:var(--card)}
th,td{text-align:right}
td.name,th.name{text-align:left;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
tr.blocker td{background:#f8c4c4} tr.critical td{background:#fbd9c9}
tr.warning td{background:#fff3c4} tr.improved td{background:#d6f5d6}
svg line.one{stroke:var(--ink)} svg line.threshold{stroke:var(--warn);stroke-dasharray:4 3}
svg g line{stroke-width:3;stroke:var(--muted)} svg g circle{fill:var(--ink)}
svg g.blocker line,svg g.critical line{stroke:var(--fail)} svg g.warning line{stroke:var(--warn)}
svg g.improved line{stroke:var(--pass)} svg text.tick{font-size:11px;text-anchor:middle}
svg polyline.trend{fill:none;stroke:var(--accent);stroke-width:2} svg circle.point{fill:var(--accent)}
svg circle.change{fill:none;stroke:var(--fail);stroke-width:2} svg line.budget{stroke:var(--fail);stroke-dasharray:6 3}
.note{color:var(--muted)}
)css";
}  // namespace

std::string html_page(std::string_view title, std::string_view body) {
  return html::page(title, kBenchCss, fmt::format("\n<h1>{}</h1>\n{}\n", html_escape(title), body));
}

std::string comparison_html_fragment(const ComparisonReport& report) {
  const auto metric = report.options.metric;
  std::string out = fmt::format("<p class=\"summary\">{}</p>\n", html_escape(summary_line(report)));
  out += fmt::format(
      "<p class=\"note\">base <code>{}</code>, new <code>{}</code>; metric {}; verdicts need Holm-adjusted "
      "Mann–Whitney p &lt; {} and the lower bound of the {:.0f}% Hodges–Lehmann interval above the threshold.</p>\n",
      html_escape(report.base_source), html_escape(report.new_source), to_string(metric), report.options.alpha,
      (1 - report.options.alpha) * 100);
  out += interval_plot(report);
  out += "<table><thead><tr><th class=\"name\">benchmark</th><th>base</th><th>new</th><th>median Δ</th>"
         "<th>ratio</th><th>CI</th><th>p</th><th>p (Holm)</th><th>verdict</th><th class=\"name\">note</th></tr></thead>"
         "<tbody>\n";
  for (const auto& r : report.rows) {
    const bool both = r.n_base && r.n_new;
    out += fmt::format(
        "<tr class=\"{}\"><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{:.3g}</td><td>{:.3g}</td><td>{}{}</td><td class=\"name\">{}</td></tr>\n",
        verdict_class(r), html_escape(r.name), r.n_base ? html_escape(format_value(r.median_base, metric)) : "–",
        r.n_new ? html_escape(format_value(r.median_new, metric)) : "–", both ? format_percent(r.median_change) : "",
        both ? fmt::format("{:.3f}", r.ratio) : "",
        both ? fmt::format("[{:.3f}, {:.3f}]", r.ratio_low, r.ratio_high) : "", r.p_value, r.p_adjusted,
        to_string(r.verdict), r.budget_exceeded ? ", over budget" : "", html_escape(r.note));
  }
  out += "</tbody></table>\n";
  return out;
}

std::string render_html(const ComparisonReport& report) {
  return html_page("clnrm benchmark comparison", comparison_html_fragment(report));
}

}  // namespace clnrm::perf
