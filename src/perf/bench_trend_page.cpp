// The bench-history page: trends over commits, change points, the latest
// comparison, budgets. One HTML file, inline SVG, no scripts.
#include <clnrm/perf.h>

#include "base/html_page.h"

#include "base/statistics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include "base/markup_escape.h"

namespace clnrm::perf {

using stats::median;

namespace {

struct Point {
  std::size_t run;  // index into runs
  double median;
  bool change = false;
  Verdict verdict = Verdict::Ok;
};

// "BM_X/5" before "BM_X/10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const auto na = std::stoull(a.substr(i, std::min<std::size_t>(ie - i, 18)));
      const auto nb = std::stoull(b.substr(j, std::min<std::size_t>(je - j, 18)));
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string short_sha(const std::string& sha) { return sha.size() > 10 ? sha.substr(0, 10) : sha; }

std::string trend_svg(const std::string& name, const std::vector<Point>& points, const std::vector<RecordedBenchRun>& runs,
                      std::optional<double> ceiling, Metric metric) {
  const double width = 640, height = 140, pad_l = 70, pad_r = 10, pad_t = 10, pad_b = 28;
  double lo = points.front().median, hi = lo;
  for (const auto& p : points) {
    lo = std::min(lo, p.median);
    hi = std::max(hi, p.median);
  }
  if (ceiling) hi = std::max(hi, *ceiling), lo = std::min(lo, *ceiling);
  if (hi - lo < hi * 1e-6) {
    hi += std::max(1.0, hi * 0.05);
    lo = std::max(0.0, lo - std::max(1.0, lo * 0.05));
  }
  const std::size_t count = points.size();
  auto x = [&](std::size_t i) {
    return count == 1 ? pad_l + (width - pad_l - pad_r) / 2
                      : pad_l + static_cast<double>(i) / static_cast<double>(count - 1) * (width - pad_l - pad_r);
  };
  const html::LinearScale y{lo, hi, height - pad_b, pad_t};
  const std::string label = "trend of " + name;
  std::string svg = html::svg_open(width, height, label) + "\n";
  svg += fmt::format("<text x=\"2\" y=\"{:.1f}\" font-size=\"11\">{}</text>\n", pad_t + 8,
                     html_escape(format_value(hi, metric)));
  svg += fmt::format("<text x=\"2\" y=\"{:.1f}\" font-size=\"11\">{}</text>\n", height - pad_b,
                     html_escape(format_value(lo, metric)));
  if (ceiling) {
    svg += fmt::format("<line class=\"budget\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"><title>budget {}</title></line>\n",
                       pad_l, width - pad_r, y(*ceiling), y(*ceiling), html_escape(format_value(*ceiling, metric)));
  }
  std::vector<std::pair<double, double>> line;
  for (std::size_t i = 0; i < count; ++i) line.emplace_back(x(i), y(points[i].median));
  svg += fmt::format("<polyline class=\"trend\" points=\"{}\"/>\n", html::polyline_points(line));
  for (std::size_t i = 0; i < count; ++i) {
    const auto& p = points[i];
    const auto& run = runs[p.run];
    svg += fmt::format("<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"><title>{} {}: {}</title></circle>\n",
                       x(i), y(p.median), html_escape(short_sha(run.commit)), html_escape(run.recorded_at),
                       html_escape(format_value(p.median, metric)));
    if (p.change) {
      svg += fmt::format("<circle class=\"change\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"7\"><title>change point: {}</title></circle>\n",
                         x(i), y(p.median), to_string(p.verdict));
    }
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{}</text>\n", pad_l, height - 8,
                     html_escape(short_sha(runs[points.front().run].commit)));
  if (count > 1) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
                       width - pad_r, height - 8, html_escape(short_sha(runs[points.back().run].commit)));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::string render_bench_trend_html(const std::vector<RecordedBenchRun>& runs, const BenchTrendPageOptions& options) {
  const Metric metric = options.compare.metric;
  std::string body;
  if (runs.empty()) {
    body = "<p>No runs recorded yet. Record one with <code>clnrm bench record RESULTS.json</code>.</p>\n";
    return html_page(options.title, body);
  }
  body += fmt::format("<p class=\"note\">{} runs, metric {}, from {} to {}. Change points (red rings) are runs whose "
                      "samples differ from the previous run's with a verdict (warning or worse, or improved).</p>\n",
                      runs.size(), to_string(metric), html_escape(runs.front().recorded_at),
                      html_escape(runs.back().recorded_at));

  // Change points: each run against the one before it, with the same gate.
  std::map<std::string, std::vector<Point>> series;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::map<std::string, Verdict> verdicts;
    if (i > 0) {
      const auto report = compare(runs[i - 1].results, runs[i].results, options.compare);
      for (const auto& row : report.rows) verdicts[row.name] = row.verdict;
    }
    for (const auto& b : runs[i].results.benchmarks) {
      if (b.values.empty()) continue;
      if (!series.count(b.name)) order.push_back(b.name);
      Point p{i, median(b.values)};
      auto it = verdicts.find(b.name);
      if (it != verdicts.end() && (it->second == Verdict::Warning || it->second == Verdict::Critical ||
                                   it->second == Verdict::Blocker || it->second == Verdict::Improved)) {
        p.change = true;
        p.verdict = it->second;
      }
      series[b.name].push_back(p);
    }
  }

  if (runs.size() >= 2) {
    body += "<h2>Latest comparison</h2>\n";
    const auto report = compare(runs[runs.size() - 2].results, runs.back().results, options.compare);
    body += comparison_html_fragment(report);
  }

  std::sort(order.begin(), order.end(), natural_less);
  body += "<h2>Trends</h2>\n";
  for (const auto& name : order) {
    const Budget* budget = options.compare.budgets.match(name);
    std::optional<double> ceiling;
    if (budget) ceiling = metric == Metric::Instructions ? budget->max_instructions : budget->max_ns;
    body += fmt::format("<h3><code>{}</code></h3>\n", html_escape(name));
    body += trend_svg(name, series[name], runs, ceiling, metric);
  }

  body += "<h2>Budgets</h2>\n";
  if (options.compare.budgets.entries.empty()) {
    body += "<p>No budgets file given (<code>--budgets bench/budgets.toml</code>).</p>\n";
  } else {
    body += "<table><thead><tr><th class=\"name\">match</th><th>ceiling</th><th>noise</th><th>matching benchmarks "
            "(latest median)</th><th class=\"name\">defined at</th></tr></thead><tbody>\n";
    for (const auto& b : options.compare.budgets.entries) {
      std::string matched;
      for (const auto& bench : runs.back().results.benchmarks) {
        if (options.compare.budgets.match(bench.name) != &b || bench.values.empty()) continue;
        const double m = median(bench.values);
        const auto ceiling = metric == Metric::Instructions ? b.max_instructions : b.max_ns;
        const bool over = ceiling && m > *ceiling;
        matched += fmt::format("{}<code>{}</code> {}{}", matched.empty() ? "" : "<br>", html_escape(bench.name),
                               html_escape(format_value(m, metric)), over ? " <b>over budget</b>" : "");
      }
      const auto ceiling = metric == Metric::Instructions ? b.max_instructions : b.max_ns;
      body += fmt::format("<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"name\">{}</td></tr>\n",
                          html_escape(b.pattern), ceiling ? html_escape(format_value(*ceiling, metric)) : "–",
                          format_percent(b.noise), matched.empty() ? "none" : matched, html_escape(b.source));
    }
    body += "</tbody></table>\n";
  }
  return html_page(options.title, body);
}

}  // namespace clnrm::perf
