// `clnrm run` command-line behaviour: selection, parse-before-run, exit codes,
// output formats. Uses the null backend where only the CLI is under test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using nlohmann::json;
using run_e2e::run_clnrm;

namespace {

std::vector<std::string> names_in(const std::string& json_text) {
  std::vector<std::string> names;
  const json parsed = json::parse(json_text);
  for (const auto& t : parsed["tests"]) names.push_back(t["name"]);
  return names;
}

}  // namespace

TEST(RunCli, InvalidFileStopsTheRunWithExit2AndDiagnostics) {
  auto r = run_clnrm({"run", "--backend", "null", "tests/e2e/data/run/passes.clnrm.toml",
                      "tests/e2e/data/run/invalid.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("invalid.clnrm.toml:8:1: error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected_output_regex"), std::string::npos) << "did you mean: " << r.err;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << "nothing ran: " << r.out;
}

TEST(RunCli, MissingPathAndBadOptionsAreUsageErrors) {
  EXPECT_EQ(run_clnrm({"run", "--backend", "null", "no/such/dir"}).exit_code, 2);
  auto bad_backend =
      run_clnrm({"run", "--backend", "warp", "tests/e2e/data/run/passes.clnrm.toml"});
  EXPECT_EQ(bad_backend.exit_code, 2);
  EXPECT_NE(bad_backend.err.find("unknown backend 'warp'"), std::string::npos) << bad_backend.err;
  EXPECT_EQ(
      run_clnrm({"run", "--format", "yaml", "tests/e2e/data/run/passes.clnrm.toml"}).exit_code, 2);
  EXPECT_EQ(
      run_clnrm({"run", "--timeout", "soon", "tests/e2e/data/run/passes.clnrm.toml"}).exit_code, 2);
  EXPECT_EQ(run_clnrm({"run", "--jobs", "-1", "tests/e2e/data/run/passes.clnrm.toml"}).exit_code,
            2);
}

TEST(RunCli, FailingDirectoriesAreLeftOutUnlessNamedOrIncluded) {
  const std::string root = "tests/e2e/data/run/selection";
  auto dflt = run_clnrm({"run", "--backend", "null", "--format", "json", root});
  EXPECT_EQ(names_in(dflt.out), std::vector<std::string>{"top"}) << dflt.err;

  auto named = run_clnrm({"run", "--backend", "null", "--format", "json", root + "/failing"});
  EXPECT_EQ(names_in(named.out), std::vector<std::string>{"broken_on_purpose"});

  auto file = run_clnrm({"run", "--backend", "null", "--format", "json",
                         root + "/nested/failing/deep_broken.clnrm.toml"});
  EXPECT_EQ(names_in(file.out), std::vector<std::string>{"deep_broken"});

  auto all = run_clnrm({"run", "--backend", "null", "--format", "json", "--include-failing", root});
  EXPECT_EQ(names_in(all.out),
            (std::vector<std::string>{"broken_on_purpose", "deep_broken", "top"}));
}

TEST(RunCli, JsonOnStdoutProgressOnStderr) {
  auto r = run_clnrm({"run", "--backend", "null", "--format", "json", "--jobs", "2",
                      "tests/e2e/data/run/fails_first.clnrm.toml"});
  EXPECT_EQ(r.exit_code, 0) << "the null backend runs nothing and passes: " << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "clnrm.run.v1");
  EXPECT_EQ(j["backend"], "null");
  EXPECT_EQ(j["summary"]["total"], 1);
  EXPECT_NE(r.err.find("PASS"), std::string::npos) << r.err;
}

TEST(RunCli, NoTestFilesIsAUsageError) {
  run_e2e::TempDir empty;
  auto r = run_clnrm({"run", "--backend", "null", empty.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no *.clnrm.toml files"), std::string::npos) << r.err;
}
