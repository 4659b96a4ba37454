// Reading Google Benchmark JSON: iterations, aggregates, units, NaN, errors.
#include <clnrm/error.h>
#include <clnrm/perf.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace clnrm::perf;

namespace {

// Shaped like Google Benchmark 1.7.1's JSON reporter output, including its
// bare NaN token and fields the reader does not know.
constexpr const char* kMixed = R"({
  "context": {"date": "2026-11-29T03:00:00+00:00", "host_name": "h", "num_cpus": 2, "mhz_per_cpu": 2000,
              "cpu_scaling_enabled": false, "caches": [], "load_avg": [0.5, 0.4, 0.3],
              "library_build_type": "release", "clnrm_build_type": "release", "future_field": {"x": [1]}},
  "benchmarks": [
    {"name": "BM_Lookup/10", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Lookup/10",
     "run_type": "iteration", "repetitions": 3, "repetition_index": 0, "threads": 1, "iterations": 1000,
     "real_time": 1.5, "cpu_time": 1.4, "time_unit": "us", "items_per_second": NaN, "bytes": Infinity},
    {"name": "BM_Lookup/10", "run_name": "BM_Lookup/10", "run_type": "iteration", "repetition_index": 1,
     "real_time": 2.0, "cpu_time": 1.9, "time_unit": "us", "weird": -Infinity},
    {"name": "BM_Lookup/10", "run_name": "BM_Lookup/10", "run_type": "iteration", "repetition_index": 2,
     "real_time": 1.0, "cpu_time": 0.9, "time_unit": "us"},
    {"name": "BM_Lookup/10_mean", "run_name": "BM_Lookup/10", "run_type": "aggregate", "aggregate_name": "mean",
     "aggregate_unit": "time", "real_time": 1.5, "cpu_time": 1.4, "time_unit": "us"},
    {"name": "BM_Lookup/10_cv", "run_name": "BM_Lookup/10", "run_type": "aggregate", "aggregate_name": "cv",
     "aggregate_unit": "percentage", "real_time": 0.2, "cpu_time": 0.2, "time_unit": "us"},
    {"name": "BM_Slow", "run_name": "BM_Slow", "run_type": "iteration", "real_time": 3, "cpu_time": 2,
     "time_unit": "ms", "label": "NaN is just text here"},
    {"name": "BM_Broken", "run_name": "BM_Broken", "run_type": "iteration", "error_occurred": true,
     "error_message": "backend unavailable", "real_time": 0, "cpu_time": 0, "time_unit": "ns"}
  ]
})";

}  // namespace

TEST(BenchmarkJson, ReadsIterationRowsConvertsUnitsAndSkipsAggregates) {
  const auto r = parse_benchmark_json(kMixed, "mixed.json", Metric::RealTime);
  ASSERT_EQ(r.benchmarks.size(), 3u);
  const auto* lookup = r.find("BM_Lookup/10");
  ASSERT_NE(lookup, nullptr);
  EXPECT_EQ(lookup->values, (std::vector<double>{1500, 2000, 1000}));  // us -> ns, no mean row
  EXPECT_FALSE(lookup->from_aggregate);
  EXPECT_EQ(r.find("BM_Slow")->values, std::vector<double>{3e6});
  EXPECT_EQ(r.find("BM_Broken")->error, "backend unavailable");
  EXPECT_TRUE(r.find("BM_Broken")->values.empty());
  EXPECT_EQ(r.context.at("clnrm_build_type"), "release");
  const auto cpu = parse_benchmark_json(kMixed, "mixed.json", Metric::CpuTime);
  EXPECT_EQ(cpu.find("BM_Lookup/10")->values, (std::vector<double>{1400, 1900, 900}));
}

TEST(BenchmarkJson, NonFiniteTokensAreQuotedOnlyOutsideStrings) {
  EXPECT_EQ(quote_non_finite_tokens(R"({"a": NaN, "b": -Infinity, "c": "NaN \" Infinity"})"),
            R"({"a": "NaN", "b": "-Infinity", "c": "NaN \" Infinity"})");
  const auto r = parse_benchmark_json(
      R"({"benchmarks": [{"name": "BM_X", "run_type": "iteration", "real_time": NaN, "cpu_time": 1}]})", "nan.json",
      Metric::RealTime);
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_TRUE(std::isnan(r.benchmarks[0].values.at(0)));
}

TEST(BenchmarkJson, AggregatesOnlyGiveOneSampleFromTheMedian) {
  const auto r = parse_benchmark_json(R"({"benchmarks": [
    {"name": "BM_A_mean", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "mean",
     "real_time": 10, "cpu_time": 10, "time_unit": "ns"},
    {"name": "BM_A_median", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "median",
     "real_time": 9, "cpu_time": 9, "time_unit": "ns"},
    {"name": "BM_A_stddev", "run_name": "BM_A", "run_type": "aggregate", "aggregate_name": "stddev",
     "real_time": 1, "cpu_time": 1, "time_unit": "ns"},
    {"name": "BM_B_mean", "run_name": "BM_B", "run_type": "aggregate", "aggregate_name": "mean",
     "real_time": 4, "cpu_time": 4, "time_unit": "us"}]})",
                                      "agg.json", Metric::RealTime);
  ASSERT_EQ(r.benchmarks.size(), 2u);
  EXPECT_EQ(r.find("BM_A")->values, std::vector<double>{9});
  EXPECT_TRUE(r.find("BM_A")->from_aggregate);
  EXPECT_EQ(r.find("BM_B")->values, std::vector<double>{4000});
  // One sample a side is never enough for a verdict, and the report says so.
  const auto report = compare(r, r, {});
  EXPECT_NE(report.rows.at(0).note.find("too few"), std::string::npos);
}

TEST(BenchmarkJson, InstructionsComeFromTheInstructionsField) {
  const auto r = parse_benchmark_json(R"({"benchmarks": [
    {"name": "BM_A", "run_type": "iteration", "instructions": 1200},
    {"name": "BM_A", "run_type": "iteration", "instructions": 1201},
    {"name": "BM_Timed", "run_type": "iteration", "real_time": 5, "cpu_time": 5}]})",
                                      "instr.json", Metric::Instructions);
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_EQ(r.benchmarks[0].values, (std::vector<double>{1200, 1201}));
}

TEST(BenchmarkJson, BadInputNamesTheFile) {
  auto message_of = [](auto&& fn) {
    try {
      fn();
    } catch (const clnrm::Error& e) {
      EXPECT_EQ(e.exit_code(), 2);
      return e.describe();
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of([] { parse_benchmark_json("{ not json", "broken.json", Metric::RealTime); })
                .find("broken.json"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_benchmark_json(R"({"context": {}})", "empty.json", Metric::RealTime); })
                .find("empty.json: not a Google Benchmark result file"),
            std::string::npos);
  EXPECT_NE(message_of([] { read_benchmark_json("/nonexistent/dir/results.json", Metric::RealTime); })
                .find("/nonexistent/dir/results.json"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              parse_benchmark_json(R"({"benchmarks": [{"name": "A", "real_time": 1, "time_unit": "fortnights"}]})",
                                   "unit.json", Metric::RealTime);
            }).find("fortnights"),
            std::string::npos);
}

TEST(BenchmarkJson, ReadsARealFileFromDisk) {
  const auto path = std::filesystem::temp_directory_path() / ("clnrm_bench_json_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << kMixed;
  }
  const auto r = read_benchmark_json(path.string(), Metric::RealTime);
  std::filesystem::remove(path);
  EXPECT_EQ(r.source, path.string());
  EXPECT_EQ(r.benchmarks.size(), 3u);
}

TEST(BenchmarkJson, AutoMetricTakesRealTimeOnlyForUseRealTimeBenchmarks) {
  const auto r = parse_benchmark_json(R"({"benchmarks": [
    {"name": "BM_Loop", "run_type": "iteration", "real_time": 9, "cpu_time": 4, "time_unit": "ns"},
    {"name": "BM_Pool/8/real_time", "run_type": "iteration", "real_time": 90, "cpu_time": 3, "time_unit": "ns"}]})",
                                      "auto.json", Metric::Auto);
  EXPECT_EQ(r.find("BM_Loop")->values, std::vector<double>{4});
  EXPECT_EQ(r.find("BM_Pool/8/real_time")->values, std::vector<double>{90});
  EXPECT_EQ(parse_metric("auto").optional(), Metric::Auto);
  EXPECT_EQ(parse_metric("instructions").optional(), Metric::Instructions);
  EXPECT_NE(parse_metric("wall").error().find("unknown metric 'wall'"), std::string::npos);
}

TEST(BenchmarkJson, MergeConcatenatesSuitesAndKeepsTheFirstContext) {
  const auto dir = std::filesystem::temp_directory_path() / ("clnrm_merge_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.json") << R"({"context": {"clnrm_os": "Linux"}, "benchmarks": [
    {"name": "BM_A", "run_type": "iteration", "real_time": NaN, "cpu_time": 1, "extra": [1, 2]}]})";
  std::ofstream(dir / "b.json") << R"({"context": {"clnrm_os": "Other"}, "benchmarks": [
    {"name": "BM_B", "run_type": "iteration", "real_time": 2, "cpu_time": 2}]})";
  std::ofstream(dir / "c.txt") << "BM_A 12 ns";
  const auto merged = merge_benchmark_json({(dir / "a.json").string(), (dir / "b.json").string()});
  const auto r = parse_benchmark_json(merged, "merged.json", Metric::CpuTime);
  EXPECT_EQ(r.benchmarks.size(), 2u);
  EXPECT_EQ(r.context.at("clnrm_os"), "Linux");
  EXPECT_NE(merged.find("\"extra\""), std::string::npos);
  try {
    merge_benchmark_json({(dir / "a.json").string(), (dir / "c.txt").string()});
    ADD_FAILURE() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_NE(e.describe().find("c.txt"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST(Platform, SlugIsStableLowercaseAndFromTheContext) {
  BenchmarkResults r;
  r.context = {{"clnrm_os", "Linux"}, {"clnrm_arch", "x86_64"}, {"clnrm_compiler", "gcc-12.2.0"},
               {"clnrm_build_type", "Release"}, {"clnrm_cpu_model", "AMD EPYC 7B13 64-Core Processor"}};
  EXPECT_EQ(platform_of(r).slug(), "linux-x86_64-gcc-12.2.0-release-amd-epyc-7b13-64-core-processor");
  EXPECT_EQ(baseline_path("bench/baselines", "main", platform_of(r)),
            "bench/baselines/main/linux-x86_64-gcc-12.2.0-release-amd-epyc-7b13-64-core-processor.json");
  EXPECT_THROW(baseline_path("d", "../evil", platform_of(r)), clnrm::Error);
  const auto here = this_platform();
  EXPECT_FALSE(here.os.empty());
  EXPECT_FALSE(here.cpu_model.empty());
}
