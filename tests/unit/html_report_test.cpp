#include <clnrm/error.h>
#include <clnrm/history.h>
#include <clnrm/html_report.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/history_fixtures.h"
#include "support/sample_run.h"
#include "base/markup_escape.h"

using namespace clnrm;
using clnrm::testing::sample_run;
using clnrm::testing::sample_trends;
using clnrm::testing::TempDir;

namespace {
std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST(HtmlReport, HasEverySectionAndIsSelfContained) {
  const auto run = sample_run();
  const auto trends = sample_trends();
  const auto html = report::render_html_report(run, &trends);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (auto section : {">Summary<", ">Timeline <", ">Failures <", ">Slowest steps<", ">Tests <"}) {
    EXPECT_NE(html.find(section), std::string::npos) << section;
  }
  // Nothing to fetch, nothing to execute.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(HtmlReport, EscapesTestOutput) {
  const auto html = report::render_html_report(sample_run());
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends"),
            std::string::npos);
  EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(HtmlReport, TimelineHasOneBarPerTestOnItsLane) {
  const auto run = sample_run();
  const auto html = report::render_html_report(run);
  const auto start = html.find("<svg", html.find(">Timeline <"));
  const auto end = html.find("</svg>", start);
  const auto svg = html.substr(start, end - start);
  EXPECT_EQ(count_of(svg, "<rect x=") - count_of(svg, "fill=\"#f7f8fa\""), run.tests.size());
  for (int lane = 0; lane < 4; ++lane)
    EXPECT_NE(svg.find(">lane " + std::to_string(lane) + "<"), std::string::npos);
  EXPECT_NE(svg.find("<title>payments — timed out — 2.500s</title>"), std::string::npos)
      << svg.substr(0, 2000);
}

TEST(HtmlReport, FailuresListOnlyFailedTestsWithTheirOutput) {
  const auto html = report::render_html_report(sample_run());
  const auto failures = html.substr(html.find("id=\"failures\""),
                                    html.find(">Slowest steps<") - html.find("id=\"failures\""));
  EXPECT_EQ(count_of(failures, "<div class=\"fail\">"), 3u);  // failed, timed out, error
  EXPECT_NE(failures.find("redis_cache"), std::string::npos);
  EXPECT_NE(failures.find("never became ready"), std::string::npos);
  EXPECT_NE(failures.find("$ sh -c &#39;echo step verify&#39;"), std::string::npos);
  EXPECT_EQ(failures.find("orders_api"), std::string::npos);
}

TEST(HtmlReport, SparklinesOnlyWithHistory) {
  const auto run = sample_run();
  const auto trends = sample_trends();
  const auto with = report::render_html_report(run, &trends);
  const auto without = report::render_html_report(run);
  EXPECT_EQ(count_of(with, "<polyline"), trends.size());
  EXPECT_EQ(count_of(without, "<polyline"), 0u);
  EXPECT_EQ(without.find(">history<"), std::string::npos);
  EXPECT_NE(with.find(">new<"), std::string::npos);  // tests without history say so
}

TEST(HtmlReport, AllPassedRunSaysSoAndHasNoFailureSection) {
  RunResult run;
  run.tests.push_back(
      clnrm::testing::make_test("ok", Status::Passed, std::chrono::milliseconds(5)));
  const auto html = report::render_html_report(run);
  EXPECT_NE(html.find("all passed"), std::string::npos);
  EXPECT_EQ(html.find("id=\"failures\""), std::string::npos);
}

TEST(HtmlReport, WriteFileAtomicallyAndFailClearly) {
  TempDir dir;
  const auto path = dir.file("report.html");
  report::write_html_report(sample_run(), std::nullopt, path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), report::render_html_report(sample_run()));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  // Missing parent directories are created, as for every report file.
  report::write_html_report(sample_run(), std::nullopt, dir.file("missing/dir/r.html"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("missing/dir/r.html")));
  std::ofstream(dir.file("plain")) << "x";
  EXPECT_THROW(report::write_html_report(sample_run(), std::nullopt, dir.file("plain/r.html")),
               Error);
}

// Issue 14 item 12: the HTML counts like the console (a flaky pass is a
// pass) and shows the attempt a flaky pass recovered from.
TEST(HtmlReport, FlakyPassCountsAsPassedAndShowsTheFailedAttempt) {
  RunResult run;
  run.backend = "sandbox";
  TestResult t;
  t.name = "wobbly";
  t.file = "w.clnrm.toml";
  t.status = Status::Passed;
  t.flaky = true;
  t.attempts = 2;
  t.failed_attempts.push_back({1, Status::Failed, "step 's' failed",
                               "step 's' ([sh]) exited 1, expected exit code 0\n  | first-try"});
  run.tests.push_back(t);
  const std::string html = report::render_html_report(run);
  EXPECT_NE(html.find("<div class=\"n s-passed\">1</div>"), std::string::npos) << html;
  EXPECT_NE(html.find("of the passed: flaky"), std::string::npos);
  EXPECT_NE(html.find("id=\"flaky\""), std::string::npos);
  EXPECT_NE(html.find("attempt 1"), std::string::npos);
  EXPECT_NE(html.find("first-try"), std::string::npos) << "the failed attempt is shown";
}

TEST(HtmlReport, FailedTestShowsTheEndOfEachServicesOutput) {
  RunResult run;
  TestResult t;
  t.name = "crashy";
  t.status = Status::Failed;
  t.message = "step 'call' failed";
  ServiceResult s;
  s.name = "api";
  s.log_captured = true;
  s.state = "exited (exit code 1)";
  s.log_tail = "Traceback (most recent call last):\nValueError: <boom>";
  t.services.push_back(s);
  run.tests.push_back(t);
  const std::string html = report::render_html_report(run);
  EXPECT_NE(html.find("service api output"), std::string::npos) << html;
  EXPECT_NE(html.find("exited (exit code 1)"), std::string::npos);
  EXPECT_NE(html.find("ValueError: &lt;boom&gt;"), std::string::npos);
}

TEST(HtmlReport, LoadsTrendsFromHistoryExcludingTheCurrentRun) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  for (int i = 0; i < 5; ++i) {
    clnrm::testing::record_run(
        store, {clnrm::testing::make_test("a", Status::Passed, std::chrono::milliseconds(10 + i))});
  }
  RunResult run;
  run.tests.push_back(
      clnrm::testing::make_test("a", Status::Passed, std::chrono::milliseconds(99)));
  run.tests.push_back(
      clnrm::testing::make_test("brand_new", Status::Passed, std::chrono::milliseconds(1)));
  const auto current = clnrm::testing::record_run(store, run.tests);
  const auto trends = report::load_trends(store, run, 3, current);
  ASSERT_EQ(trends.size(), 1u);
  const auto& a = trends.at("a");
  ASSERT_EQ(a.seconds.size(), 3u);
  EXPECT_DOUBLE_EQ(a.seconds.back(), 0.014);
  EXPECT_DOUBLE_EQ(a.seconds.front(), 0.012);
}

TEST(HtmlReport, ControlCharactersAreNeverPassedRaw) {
  auto run = sample_run();
  run.tests[0].name = "evil\x1b[31m\x07\x7f\xc2\x9b name";
  run.tests[0].steps[0].exec.stdout_data = std::string("out\x1b[2J\r\0\n", 10);
  const auto html = report::render_html_report(run);
  for (char c = 1; c < 0x20; ++c) {
    if (c == '\n' || c == '\t') continue;
    EXPECT_EQ(html.find(c), std::string::npos) << "control character " << int(c);
  }
  EXPECT_EQ(html.find('\x7f'), std::string::npos);
  EXPECT_EQ(html.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(html.find("evil\\x1b[31m\\x07\\x7f\\u009b name"), std::string::npos);
  EXPECT_EQ(html_escape("a\x1b<b>\n\tc"), "a\\x1b&lt;b&gt;\n\tc");
}

// Issue 18: a chip per tag beside the test's name in the tests table, escaped.
TEST(HtmlReport, TagsAreChipsBesideTheTestName) {
  auto run = sample_run();
  run.tests[0].tags = {"api", "<b>"};
  const auto html = report::render_html_report(run, nullptr);
  EXPECT_NE(html.find("<span class=\"tag\">api</span><span class=\"tag\">&lt;b&gt;</span>"),
            std::string::npos);
  EXPECT_EQ(count_of(html, "<span class=\"tag\">"), 2u) << "only tagged tests have chips";
}
