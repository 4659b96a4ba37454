// `clnrm bench run` on an example, twice, then `clnrm bench compare` on the
// two outputs: the user's own scenarios go through the regression gate.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

TEST(BenchRun, StepsBecomeGoogleBenchmarkRowsThatBenchCompareReads) {
  TempDir dir;
  const std::string example = source_path("examples/cli_multi_step.clnrm.toml");
  auto a =
      run_clnrm({"bench", "run", "-n", "4", "--warmup", "1", "--out", dir.file("a.json"), example});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto b = run_clnrm({"bench", "run", "-n", "4", "--out", dir.file("b.json"), example});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;

  const json doc = json::parse(read_file(dir.file("a.json")));
  EXPECT_TRUE(doc["context"].contains("date"));
  EXPECT_TRUE(doc["context"].contains("num_cpus"));
  ASSERT_FALSE(doc["benchmarks"].empty());
  std::map<std::string, int> rows;
  for (const json& row : doc["benchmarks"]) {
    ++rows[row["run_name"].get<std::string>()];
    EXPECT_EQ(row["run_type"], "iteration");
    EXPECT_EQ(row["repetitions"], 4);
    EXPECT_EQ(row["time_unit"], "us");
    EXPECT_GT(row["real_time"].get<double>(), 0.0) << row;
    EXPECT_GE(row["cpu_time"].get<double>(), 0.0) << row;
    EXPECT_TRUE(row.contains("items_per_second")) << row;
  }
  EXPECT_EQ(rows.count("clnrm_step/cli_multi_step/print_version/real_time"), 1u);
  for (const auto& [name, n] : rows) EXPECT_EQ(n, 4) << name << ": the warm-up run is not measured";

  auto cmp = run_clnrm({"bench", "compare", dir.file("a.json"), dir.file("b.json")});
  EXPECT_TRUE(cmp.exit_code == 0 || cmp.exit_code == 3) << cmp.exit_code << cmp.out << cmp.err;
  EXPECT_NE(cmp.out.find("clnrm_step/cli_multi_step/print_version/real_time"), std::string::npos)
      << cmp.out;
}

TEST(BenchRun, AFailingStepIsAFailedBenchmarkAndExitsOne) {
  TempDir dir;
  auto r = run_clnrm({"bench", "run", "-n", "2", "--warmup", "0", "--include-failing",
                      source_path("examples/failing/wrong_output.clnrm.toml")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json doc = json::parse(r.out);
  bool errored = false;
  for (const json& row : doc["benchmarks"]) errored = errored || row.value("error_occurred", false);
  EXPECT_TRUE(errored) << r.out;
}

// `clnrm bench run` resolves its settings as `clnrm run` (the nearest
// cleanroom.toml, --config, --no-config): [defaults] timeout = "1s" stops a
// 4s step, a failed measured run whose verdict is the exit code.
TEST(BenchRun, TheProjectsDefaultsApplyAsForRun) {
  CliScratch d;
  d.files.write("cleanroom.toml", "[defaults]\ntimeout = \"1s\"\n");
  const std::string file = d.add("slow", R"([test.metadata]
name = "slow"

[[steps]]
name = "sleep"
command = ["sh", "-c", "sleep 4"]
)");
  Outcome o = d.clnrm({"bench", "run", "-n", "1", "--warmup", "0", file});
  ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
  const json doc = json::parse(o.out);
  ASSERT_EQ(doc["benchmarks"].size(), 1u) << o.out;
  EXPECT_TRUE(doc["benchmarks"][0].value("error_occurred", false)) << o.out;
  EXPECT_NE(o.err.find("slow (run 1) failed"), std::string::npos) << o.err;

  o = d.clnrm({"bench", "run", "-n", "1", "--warmup", "0", "--no-config", file});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;

  // The project's security_level too: a test below it is an invalid file.
  d.files.write("strict.toml", "[defaults]\nsecurity_level = \"high\"\n");
  const std::string low = d.add("low", R"([test.metadata]
name = "low"

[[steps]]
name = "s"
command = ["true"]

[policy]
security_level = "low"
)");
  o = d.clnrm({"bench", "run", "-n", "1", "--warmup", "0", "--config", d.files.path() + "/strict.toml", low});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("is below the project's \"high\""), std::string::npos) << o.err;
}
