// Formatting shared by the comparison renderers.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>

#include <cmath>

#include "base/markup_escape.h"

namespace clnrm::perf {

Parsed<Format> parse_format(std::string_view text) {
  if (text == "text") return Format::Text;
  if (text == "markdown" || text == "md") return Format::Markdown;
  if (text == "json") return Format::Json;
  if (text == "html") return Format::Html;
  return Parsed<Format>::failure(fmt::format("unknown format '{}' (text, markdown, json or html)", text));
}

std::string render(const ComparisonReport& report, Format format) {
  switch (format) {
    case Format::Text: return render_text(report);
    case Format::Markdown: return render_markdown(report);
    case Format::Json: return render_json(report);
    case Format::Html: return render_html(report);
  }
  return render_text(report);
}

// Not format_duration (include/clnrm/duration.h): a comparison table's
// figures are fractional medians shown with 3 significant digits, so the
// columns read alike ("12.3 µs" beside "1.20 ms"); format_duration's fixed
// decimals would print "12.3us" beside "1.2ms" and drop the digits of a
// sub-microsecond median.
std::string format_value(double value, Metric metric) {
  if (!std::isfinite(value)) return "n/a";
  if (metric == Metric::Instructions) {
    if (value >= 1e9) return fmt::format("{:.3g} G instr", value / 1e9);
    if (value >= 1e6) return fmt::format("{:.3g} M instr", value / 1e6);
    if (value >= 1e3) return fmt::format("{:.3g} k instr", value / 1e3);
    return fmt::format("{:.3g} instr", value);
  }
  if (value >= 1e9) return fmt::format("{:.3g} s", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.3g} ms", value / 1e6);
  if (value >= 1e3) return fmt::format("{:.3g} µs", value / 1e3);
  return fmt::format("{:.3g} ns", value);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  return fmt::format("{:+.1f}%", fraction * 100);
}

}  // namespace clnrm::perf
