// The bench-history store on real SQLite, and the page drawn from it.
#include <clnrm/perf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_dir.h"

using namespace clnrm::perf;

namespace {

using clnrm::testing::TempDir;

BenchmarkResults run_of(double a_centre, double b_centre) {
  BenchmarkResults r;
  r.source = "run.json";
  BenchmarkSamples a{"BM_A", {}, false, {}}, b{"BM_B", {}, false, {}};
  for (int i = 0; i < 10; ++i) {
    a.values.push_back(a_centre * (1 + 0.001 * i));
    b.values.push_back(b_centre * (1 + 0.001 * i));
  }
  r.benchmarks = {a, b};
  return r;
}

}  // namespace

TEST(BenchResultsDb, RecordsAndReadsBackRunsInOrderPerMetric) {
  TempDir dir;
  const auto db = dir.file("history.db");
  {
    BenchResultsDb h(db);
    h.record(run_of(100, 50), Metric::RealTime, "aaa", "p1");
    h.record(run_of(101, 50), Metric::RealTime, "bbb", "p1");
    h.record(run_of(5, 5), Metric::Instructions, "bbb", "p1");
  }
  EXPECT_TRUE(std::filesystem::exists(db + "-wal") || std::filesystem::exists(db));
  BenchResultsDb h(db);  // reopened: data persisted
  const auto runs = h.runs(Metric::RealTime);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].commit, "aaa");
  EXPECT_EQ(runs[1].commit, "bbb");
  ASSERT_EQ(runs[1].results.benchmarks.size(), 2u);
  EXPECT_EQ(runs[1].results.benchmarks[0].values.size(), 10u);
  EXPECT_DOUBLE_EQ(runs[1].results.benchmarks[0].values[0], 101);
  EXPECT_EQ(h.runs(Metric::Instructions).size(), 1u);
  EXPECT_TRUE(h.runs(Metric::RealTime, "other-platform").empty());
}

TEST(BenchResultsDb, ReportMarksTheChangePointAndIsSelfContained) {
  TempDir dir;
  BenchResultsDb h(dir.file("h.db"));
  h.record(run_of(100, 50), Metric::RealTime, "c1", "p");
  h.record(run_of(100, 50), Metric::RealTime, "c2", "p");
  h.record(run_of(200, 50), Metric::RealTime, "c3", "p");  // BM_A doubles here
  h.record(run_of(200, 50), Metric::RealTime, "c4", "p");
  BenchTrendPageOptions options;
  options.compare.budgets = parse_budgets("[[budget]]\nmatch = \"BM_A\"\nmax = \"150ns\"\n", "b.toml");
  const std::string html = render_bench_trend_html(h.runs(Metric::RealTime), options);
  // Exactly one change point: BM_A at c3.
  std::size_t count = 0;
  for (auto pos = html.find("class=\"change\""); pos != std::string::npos; pos = html.find("class=\"change\"", pos + 1))
    ++count;
  EXPECT_EQ(count, 1u);
  EXPECT_NE(html.find("change point: blocker"), std::string::npos);
  EXPECT_NE(html.find("class=\"budget\""), std::string::npos);
  EXPECT_NE(html.find("over budget"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
}
