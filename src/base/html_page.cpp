#include "base/html_page.h"

#include <fmt/format.h>

#include "base/markup_escape.h"

namespace clnrm::html {

namespace {
// What every page shares: one palette, type, tables and code blocks, so the
// run report and the bench pages look like one tool. Each page's own
// stylesheet follows and adds only the classes it draws with.
constexpr std::string_view kSharedCss = R"css(
:root{--bg:#f5f6f8;--card:#fff;--ink:#1d2330;--muted:#6b7385;--line:#e3e6ec;
--pass:#1f9d55;--fail:#d64545;--warn:#e8890c;--accent:#3056d3}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
table{border-collapse:collapse}
th{text-align:left;color:var(--muted);font-weight:500;font-size:12px;text-transform:uppercase;letter-spacing:.5px;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:middle}
tr:last-child td{border-bottom:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
pre{margin:6px 0 0;padding:10px 12px;background:var(--ink);color:#e6e9ef;border-radius:6px;overflow:auto;max-height:260px;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.muted{color:var(--muted)}
svg text{font-family:inherit}
)css";
}  // namespace

std::string page(std::string_view title, std::string_view css, std::string_view body) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += fmt::format("<title>{}</title><style>\n{}{}</style></head><body>", html_escape(title), kSharedCss, css);
  html += body;
  html += "</body></html>\n";
  return html;
}

std::string svg_open(double width, double height, std::string_view label, std::string_view css_class,
                     SvgWidth fit) {
  std::string tag = "<svg xmlns=\"http://www.w3.org/2000/svg\"";
  if (!css_class.empty()) tag += fmt::format(" class=\"{}\"", html_escape(css_class));
  tag += fmt::format(" viewBox=\"0 0 {} {}\"", width, height);
  if (fit == SvgWidth::FitPage)
    tag += " width=\"100%\"";
  else
    tag += fmt::format(" width=\"{}\" height=\"{}\"", width, height);
  tag += " role=\"img\"";
  if (!label.empty()) tag += fmt::format(" aria-label=\"{}\"", html_escape(label));
  return tag + ">";
}

double LinearScale::operator()(double value) const {
  if (hi == lo) return (from + to) / 2;
  return from + (value - lo) / (hi - lo) * (to - from);
}

std::string polyline_points(const std::vector<std::pair<double, double>>& points) {
  std::string out;
  for (const auto& [x, y] : points) out += fmt::format("{:.1f},{:.1f} ", x, y);
  return out;
}

}  // namespace clnrm::html
