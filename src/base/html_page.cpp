#include "base/html_page.h"

#include <fmt/format.h>

#include "base/markup_escape.h"

namespace clnrm::html {

namespace {
// What every page shares; each page's own stylesheet follows it.
constexpr std::string_view kSharedCss = "svg text{font-family:inherit}\n";
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
