#pragma once
// The one way clnrm writes an HTML page: the document shell (head,
// charset, viewport, title, inline stylesheet; no scripts and no external
// resources, so a page opens offline and can be attached to a CI run), and
// the pieces every inline-SVG chart uses. Text is escaped with html_escape
// (src/base/markup_escape.h). Pages: the run report
// (src/report/html_report.cpp), the bench comparison
// (src/perf/render_html.cpp) and the bench history (src/perf/bench_trend_page.cpp).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clnrm::html {

// A whole document: `css` is the page's own stylesheet (after the shared
// one), `body` the markup inside <body>. `title` is escaped here.
std::string page(std::string_view title, std::string_view css, std::string_view body);

// ---- inline SVG charts ------------------------------------------------------

enum class SvgWidth {
  Fixed,    // width and height as drawn
  FitPage,  // width="100%": scales with the page (the viewBox keeps the ratio)
};
// The opening <svg ...> tag of a chart of `width` x `height` drawing units
// (the viewBox). `label` (the aria-label) is escaped here; empty: none.
std::string svg_open(double width, double height, std::string_view label = {},
                     std::string_view css_class = {}, SvgWidth fit = SvgWidth::Fixed);

// Maps data values in [lo, hi] onto drawing coordinates [from, to] (from > to
// flips an axis: SVG's y grows downwards). A flat range maps to the middle.
struct LinearScale {
  double lo, hi, from, to;
  double operator()(double value) const;
};

// "x,y x,y ..." for a polyline, one decimal.
std::string polyline_points(const std::vector<std::pair<double, double>>& points);

}  // namespace clnrm::html
