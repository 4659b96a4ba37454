#include <clnrm/error.h>
#include <clnrm/metrics_formats.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/sample_run.h"
#include "unit/prometheus_validator.h"

namespace {

using clnrm::testing::validate_prometheus_text;

clnrm::MetricsSnapshot counters() {
  clnrm::MetricsSnapshot c;
  c.tests_started = 10;
  c.tests_passed = 8;
  c.tests_failed = 2;
  c.steps_run = 30;
  c.steps_failed = 2;
  c.services_started = 17;
  c.containers_created = 17;
  c.containers_reused = 3;
  c.retries = 1;
  c.step_wall_ns = 1'500'000'000;
  c.step_user_cpu_us = 250'000;
  c.step_system_cpu_us = 125'000;
  return c;
}

const clnrm::testing::PromSample* find(const clnrm::testing::PromParse& p, const std::string& name,
                                       std::map<std::string, std::string> labels = {}) {
  for (const auto& s : p.samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) all = false;
    }
    if (all) return &s;
  }
  return nullptr;
}

}  // namespace

TEST(PrometheusValidator, RejectsMalformedExpositions) {
  // The validator is what the other tests trust; prove it can say no.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no trailing newline", "# TYPE a counter\na 1"},
      {"bad name", "# TYPE 1a gauge\n1a 1\n"},
      {"bad escape", "a{l=\"x\\t\"} 1\n"},
      {"unquoted label", "a{l=x} 1\n"},
      {"duplicate series", "a{l=\"x\"} 1\na{l=\"x\"} 2\n"},
      {"split family", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n"},
      {"type after samples", "a 1\n# TYPE a gauge\n"},
      {"bad type", "# TYPE a countr\na 1\n"},
      {"bad value", "a one\n"},
      {"histogram not cumulative",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 2\nh_bucket{le=\"+Inf\"} "
       "3\nh_sum 1\nh_count 3\n"},
      {"histogram without +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_sum 1\nh_count 3\n"},
      {"+Inf differs from count",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n"},
      {"reserved label", "a{__name__=\"x\"} 1\n"},
      {"duplicate label", "a{l=\"x\",l=\"y\"} 1\n"},
  };
  for (const auto& [why, text] : bad) {
    EXPECT_FALSE(validate_prometheus_text(text).errors.empty()) << why;
  }
  EXPECT_TRUE(validate_prometheus_text(
                  "# HELP a x\\ny\n# TYPE a gauge\na{l=\"q\\\"\\\\\\n\",} 1.5e-3 1700000000000\n")
                  .errors.empty());
}

TEST(Prometheus, SampleRunIsStrictlyValid) {
  const auto run = clnrm::testing::make_sample_run(25);
  const std::string text = clnrm::render_prometheus(counters(), run);
  const auto parsed = validate_prometheus_text(text);
  for (const auto& e : parsed.errors) ADD_FAILURE() << e;
  // Every family has HELP and TYPE, every name is clnrm_*.
  for (const auto& [fam, type] : parsed.types) {
    EXPECT_EQ(fam.rfind("clnrm_", 0), 0u) << fam;
    EXPECT_TRUE(parsed.help.count(fam)) << fam;
    if (type == "counter") {
      EXPECT_TRUE(fam.size() > 6 && fam.substr(fam.size() - 6) == "_total") << fam;
    }
  }
  for (const auto& s : parsed.samples) {
    const std::string fam = clnrm::testing::family_of(s.name, parsed.types);
    EXPECT_TRUE(parsed.types.count(fam)) << s.name << " has no TYPE";
  }
}

TEST(Prometheus, CountersCarryTheSnapshotInBaseUnits) {
  const auto p = validate_prometheus_text(
      clnrm::render_prometheus(counters(), clnrm::testing::make_sample_run(3)));
  ASSERT_NE(find(p, "clnrm_tests_started_total"), nullptr);
  EXPECT_EQ(find(p, "clnrm_tests_started_total")->value, 10);
  EXPECT_EQ(find(p, "clnrm_containers_reused_total")->value, 3);
  EXPECT_EQ(find(p, "clnrm_retries_total")->value, 1);
  EXPECT_DOUBLE_EQ(find(p, "clnrm_step_wall_seconds_total")->value, 1.5);
  EXPECT_DOUBLE_EQ(find(p, "clnrm_step_cpu_user_seconds_total")->value, 0.25);
  EXPECT_DOUBLE_EQ(find(p, "clnrm_step_cpu_system_seconds_total")->value, 0.125);
  EXPECT_EQ(p.types.at("clnrm_test_duration_seconds"), "histogram");
  EXPECT_EQ(p.types.at("clnrm_step_duration_seconds"), "histogram");
}

TEST(Prometheus, PerTestAndPerStepSeriesWithEscapedLabels) {
  const auto run = clnrm::testing::make_sample_run(5);
  const auto p = validate_prometheus_text(clnrm::render_prometheus(counters(), run));
  ASSERT_TRUE(p.errors.empty());
  // Test 0's name has a quote, a backslash and a newline: it must round-trip.
  const auto* wall = find(p, "clnrm_test_wall_seconds", {{"test", "quote\"back\\slash\nnewline"}});
  ASSERT_NE(wall, nullptr);
  EXPECT_DOUBLE_EQ(wall->value, static_cast<double>(run.tests[0].duration.count()) / 1e9);
  const auto* rss = find(p, "clnrm_step_max_rss_bytes", {{"test", "test_1"}, {"step", "step_1"}});
  ASSERT_NE(rss, nullptr);
  EXPECT_EQ(rss->value, 2049.0 * 1024);
  const auto* user = find(p, "clnrm_step_cpu_user_seconds", {{"test", "test_2"}, {"index", "0"}});
  ASSERT_NE(user, nullptr);
  EXPECT_DOUBLE_EQ(user->value, 0.0012);
  EXPECT_EQ(find(p, "clnrm_test_passed", {{"test", "test_4"}})->value, 0);
  EXPECT_EQ(find(p, "clnrm_test_passed", {{"test", "test_3"}})->value, 1);
  // Test 0: svc1 reused, svc0 created.
  EXPECT_EQ(
      find(p, "clnrm_test_containers_reused", {{"test", "quote\"back\\slash\nnewline"}})->value, 1);
  EXPECT_EQ(find(p, "clnrm_test_containers_created", {{"test", "test_1"}})->value, 2);
  const auto* count = find(p, "clnrm_step_duration_seconds_count");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->value, 15);
}

TEST(Prometheus, RepeatedTestsStayDistinctSeries) {
  auto run = clnrm::testing::make_sample_run(2);
  run.tests.push_back(run.tests[1]);
  const auto p = validate_prometheus_text(clnrm::render_prometheus(counters(), run));
  EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
  EXPECT_NE(find(p, "clnrm_test_wall_seconds", {{"test", "test_1"}, {"repeat", "1"}}), nullptr);
}

TEST(Prometheus, EmptyRunIsValid) {
  const auto p = validate_prometheus_text(clnrm::render_prometheus({}, clnrm::RunResult{}));
  EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
  EXPECT_EQ(find(p, "clnrm_test_duration_seconds_count")->value, 0);
}

TEST(Prometheus, Escaping) {
  EXPECT_EQ(clnrm::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(clnrm::escape_help_text("a\"b\\c\nd"), "a\"b\\\\c\\nd");
}

TEST(Prometheus, WriteToAnImpossibleDirectoryNamesThePath) {
  // Missing parent directories are created (as for every report file); one
  // below a non-directory cannot be.
  try {
    clnrm::write_metrics_file("/dev/null/m.prom", {}, {});
    FAIL();
  } catch (const clnrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/null/m.prom"), std::string::npos) << e.what();
  }
}

TEST(MetricsJson, CarriesCountersAndPerStepFigures) {
  const auto run = clnrm::testing::make_sample_run(2);
  const auto j = clnrm::metrics_to_json(counters(), run);
  EXPECT_EQ(j["counters"]["tests_started"], 10);
  EXPECT_DOUBLE_EQ(j["counters"]["step_wall_seconds"].get<double>(), 1.5);
  ASSERT_EQ(j["tests"].size(), 2u);
  EXPECT_EQ(j["tests"][1]["steps"][1]["max_rss_bytes"], 2049 * 1024);
  EXPECT_DOUBLE_EQ(j["tests"][1]["steps"][0]["cpu_user_seconds"].get<double>(), 0.0012);
  EXPECT_EQ(j["tests"][0]["containers_reused"], 1);
  EXPECT_EQ(j["tests"][0]["services"][0]["service"], "svc0");
  EXPECT_EQ(j["run"]["backend"], "sandbox");
  // Serialises (names with newlines/quotes are valid JSON strings).
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);
}

TEST(MetricsRecord, StepAndTestHelpersFeedTheCounters) {
  clnrm::Metrics m;
  const auto run = clnrm::testing::make_sample_run(5);
  for (const auto& t : run.tests) {
    for (const auto& s : t.steps) clnrm::record_step_metrics(m, s);
    clnrm::record_test_metrics(m, t);
  }
  const auto s = m.snapshot();
  EXPECT_EQ(s.steps_run, 15u);
  EXPECT_EQ(s.steps_failed, 1u);
  EXPECT_EQ(s.tests_passed, 4u);
  EXPECT_EQ(s.tests_failed, 1u);
  EXPECT_EQ(s.step_wall_ns, 5u * (3 + 4 + 5) * 1'000'000);
  EXPECT_EQ(s.step_user_cpu_us, 5u * (1200 + 1201 + 1202));
}
