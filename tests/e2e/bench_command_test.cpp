// `clnrm bench ...` through the real binary: exit codes, formats, baselines,
// history. Inputs are Google-Benchmark-shaped JSON files written here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Run {
  int exit_code;
  std::string out;
};

Run clnrm(const std::string& args, const fs::path& cwd) {
  const std::string cmd = "cd '" + cwd.string() + "' && '" + std::string(CLNRM_BINARY) + "' " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

struct Workdir {
  fs::path path;
  Workdir() {
    path = fs::temp_directory_path() / ("clnrm_bench_e2e_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Workdir() { fs::remove_all(path); }
};

// factors: benchmark name -> centre in ns; 10 repetitions with 2% noise.
void write_results(const fs::path& file, const std::vector<std::pair<std::string, double>>& centres, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 0.02);
  nlohmann::json doc;
  doc["context"] = {{"clnrm_os", "Linux"}, {"clnrm_arch", "x86_64"}, {"clnrm_compiler", "gcc-12.2.0"},
                    {"clnrm_build_type", "release"}, {"clnrm_cpu_model", "Test CPU 9000"}};
  for (const auto& [name, centre] : centres) {
    for (int i = 0; i < 10; ++i) {
      const double v = centre * std::exp(z(rng));
      doc["benchmarks"].push_back({{"name", name}, {"run_name", name}, {"run_type", "iteration"},
                                   {"repetitions", 10}, {"repetition_index", i}, {"iterations", 1000},
                                   {"real_time", v}, {"cpu_time", v}, {"time_unit", "ns"}});
    }
  }
  std::ofstream(file) << doc.dump(1);
}

}  // namespace

TEST(BenchCommand, ExitCodesFollowTheWorstVerdict) {
  Workdir w;
  write_results(w.path / "base.json", {{"BM_A", 1000}, {"BM_B", 500}}, 1);
  write_results(w.path / "same.json", {{"BM_A", 1000}, {"BM_B", 500}}, 2);
  write_results(w.path / "warn.json", {{"BM_A", 1200}, {"BM_B", 500}}, 3);
  write_results(w.path / "block.json", {{"BM_A", 2000}, {"BM_B", 500}}, 4);

  auto ok = clnrm("bench compare base.json same.json", w.path);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("0 blocker, 0 critical, 0 warning"), std::string::npos) << ok.out;
  auto warn = clnrm("bench compare base.json warn.json", w.path);
  EXPECT_EQ(warn.exit_code, 3) << warn.out;
  auto block = clnrm("bench compare base.json block.json --format markdown", w.path);
  EXPECT_EQ(block.exit_code, 1) << block.out;
  EXPECT_NE(block.out.find("| `BM_A` |"), std::string::npos) << block.out;
  EXPECT_NE(block.out.find("blocker"), std::string::npos);
}

TEST(BenchCommand, FormatsAndOutputFile) {
  Workdir w;
  write_results(w.path / "base.json", {{"BM_A", 1000}}, 1);
  write_results(w.path / "new.json", {{"BM_A", 2000}}, 2);
  auto json = clnrm("bench compare base.json new.json --format json -o out.json", w.path);
  EXPECT_EQ(json.exit_code, 1);
  std::ifstream in(w.path / "out.json");
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["benchmarks"][0]["verdict"], "blocker");
  EXPECT_EQ(doc["exit_code"], 1);
  auto html = clnrm("bench compare base.json new.json --format html -o out.html", w.path);
  EXPECT_EQ(html.exit_code, 1);
  std::stringstream page;
  page << std::ifstream(w.path / "out.html").rdbuf();
  EXPECT_NE(page.str().find("<svg"), std::string::npos);
}

TEST(BenchCommand, UsageAndInputErrorsExitTwoAndNameTheFile) {
  Workdir w;
  write_results(w.path / "base.json", {{"BM_A", 1000}}, 1);
  std::ofstream(w.path / "broken.json") << "{\"benchmarks\": [";
  auto bad = clnrm("bench compare base.json broken.json", w.path);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("broken.json"), std::string::npos) << bad.out;
  auto missing = clnrm("bench compare base.json nope.json", w.path);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("nope.json"), std::string::npos);
  auto metric = clnrm("bench compare base.json base.json --metric wallclock", w.path);
  EXPECT_EQ(metric.exit_code, 2);
  auto help = clnrm("bench compare --help", w.path);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("3  warnings only"), std::string::npos) << help.out;
}

TEST(BenchCommand, SavedBaselineIsFoundByPlatform) {
  Workdir w;
  write_results(w.path / "base.json", {{"BM_A", 1000}}, 1);
  write_results(w.path / "new.json", {{"BM_A", 2000}}, 2);
  auto save = clnrm("bench compare base.json --save-baseline main --baseline-dir bl", w.path);
  EXPECT_EQ(save.exit_code, 0) << save.out;
  EXPECT_TRUE(fs::exists(w.path / "bl/main/linux-x86_64-gcc-12.2.0-release-test-cpu-9000.json")) << save.out;
  auto cmp = clnrm("bench compare new.json --baseline main --baseline-dir bl", w.path);
  EXPECT_EQ(cmp.exit_code, 1) << cmp.out;
  auto none = clnrm("bench compare new.json --baseline release-1 --baseline-dir bl", w.path);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("no baseline 'release-1'"), std::string::npos) << none.out;
}

TEST(BenchCommand, RecordThenReportDrawsAPage) {
  Workdir w;
  write_results(w.path / "r1.json", {{"BM_A", 1000}}, 1);
  write_results(w.path / "r2.json", {{"BM_A", 1000}}, 2);
  write_results(w.path / "r3.json", {{"BM_A", 2000}}, 3);
  for (const char* f : {"r1", "r2", "r3"}) {
    auto r = clnrm(std::string("bench record ") + f + ".json --db h.db --commit " + f, w.path);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  auto rep = clnrm("bench report --db h.db --html out/report.html", w.path);
  ASSERT_EQ(rep.exit_code, 0) << rep.out;
  std::stringstream page;
  page << std::ifstream(w.path / "out/report.html").rdbuf();
  EXPECT_NE(page.str().find("class=\"change\""), std::string::npos);
  EXPECT_NE(page.str().find("3 runs"), std::string::npos);
}
