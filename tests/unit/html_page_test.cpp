// The shared HTML page pieces (src/base/html_page.cpp): the document shell and the SVG helpers used by the run report and the bench pages.
#include <clnrm/html_report.h>
#include <clnrm/perf.h>
#include <gtest/gtest.h>

#include "base/html_page.h"
#include "unit/report_fixtures.h"

using namespace clnrm;

TEST(HtmlPage, ShellIsSelfContainedWithEscapedTitleAndThePageStylesheet) {
  const auto page = html::page("a <b>", ".x{color:red}", "<p>body</p>");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", 0), 0u);
  EXPECT_NE(page.find("<title>a &lt;b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find(".x{color:red}</style></head><body><p>body</p></body></html>\n"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(HtmlPage, EveryPageUsesTheOneShell) {
  // The run report and both bench pages open the same way.
  const std::string head = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\"";
  EXPECT_EQ(report::render_html_report(report_fixture::sample_run()).rfind(head, 0), 0u);
  EXPECT_EQ(perf::html_page("bench", "<p>x</p>").rfind(head, 0), 0u);
  EXPECT_EQ(perf::render_bench_trend_html({}, {}).rfind(head, 0), 0u);
}

TEST(HtmlPage, EveryPageDrawsWithTheOnePaletteAndDefinesNoOtherBaseStyle) {
  // Each page's own stylesheet follows the shared one and adds classes only:
  // a second body font, palette or table style would make the pages drift.
  const auto own_css = [](const std::string& page) {
    const std::string last_shared_rule = "svg text{font-family:inherit}\n";
    const auto own = page.find(last_shared_rule) + last_shared_rule.size();
    EXPECT_GT(own, last_shared_rule.size());
    return page.substr(own, page.find("</style>") - own);
  };
  const std::string pages[] = {report::render_html_report(report_fixture::sample_run()),
                               perf::html_page("bench", "<p>x</p>"), perf::render_bench_trend_html({}, {})};
  for (const auto& page : pages) {
    EXPECT_NE(page.find(":root{--bg:"), std::string::npos);
    const std::string css = own_css(page);
    EXPECT_EQ(css.find("font:"), std::string::npos) << css;
    EXPECT_EQ(css.find("--pass:"), std::string::npos) << css;
    EXPECT_EQ(css.find("border-collapse"), std::string::npos) << css;
    EXPECT_EQ(css.find('#', css.find("svg ")), std::string::npos)
        << "chart colours come from the palette: " << css;
  }
}

TEST(HtmlPage, SvgOpenTagHasTheNamespaceViewBoxAndEscapedLabel) {
  EXPECT_EQ(html::svg_open(120, 26),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 26\" width=\"120\" height=\"26\" "
            "role=\"img\">");
  EXPECT_EQ(html::svg_open(10, 5.5, "a\"b", "c", html::SvgWidth::FitPage),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"c\" viewBox=\"0 0 10 5.5\" width=\"100%\" "
            "role=\"img\" aria-label=\"a&quot;b\">");
}

TEST(HtmlPage, LinearScaleMapsAndFlipsAndCentresAFlatRange) {
  const html::LinearScale y{0, 10, 100, 0};  // an SVG y axis: larger values higher up
  EXPECT_DOUBLE_EQ(y(0), 100);
  EXPECT_DOUBLE_EQ(y(10), 0);
  EXPECT_DOUBLE_EQ(y(2.5), 75);
  const html::LinearScale flat{3, 3, 0, 20};
  EXPECT_DOUBLE_EQ(flat(3), 10);
}

TEST(HtmlPage, PolylinePointsHaveOneDecimal) {
  EXPECT_EQ(html::polyline_points({{1, 2}, {3.21, 4.79}}), "1.0,2.0 3.2,4.8 ");
}
