// The built `clnrm` binary on real files: validate, init, plugins.
#include <clnrm/parser.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(CLNRM_SOURCE_DIR) + "/tests/e2e/data";

using clnrm::testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun clnrm(const std::string& args) {
  TempDir io;
  const std::string cmd = quote(CLNRM_BINARY) + " " + args + " >" +
                          quote((fs::path(io.path()) / "out").string()) + " 2>" +
                          quote((fs::path(io.path()) / "err").string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(fs::path(io.path()) / "out");
  r.err = slurp(fs::path(io.path()) / "err");
  return r;
}

TEST(CliValidateTest, ValidDirectoryRecursiveOnlyTestFiles) {
  CliRun r = clnrm("validate -v " + quote(kData + "/project"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok: " + kData + "/project/api.clnrm.toml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nested/deeper/upstream.clnrm.toml"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("not-a-test.toml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("validated 2 files: 2 valid, 0 invalid (0 errors, 1 warning)"),
            std::string::npos)
      << r.out;
  // The warning names the unimplemented upstream key with its position.
  EXPECT_NE(r.out.find("upstream.clnrm.toml:14:2: warning: key 'otel'"), std::string::npos)
      << r.out;
}

TEST(CliValidateTest, InvalidFilesExitOneWithPositions) {
  CliRun r = clnrm("validate " + quote(kData + "/broken"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string dir = kData + "/broken/";
  EXPECT_NE(r.out.find(dir + "typo.clnrm.toml:6:1: error: unknown key 'comand' in [[steps]] (did "
                             "you mean 'command'?)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(dir + "malformed.clnrm.toml:1:15: error: invalid TOML"), std::string::npos)
      << r.out;
  // All errors of a file, not just the first.
  EXPECT_NE(r.out.find(dir + "many_errors.clnrm.toml:6:11: error: 'command' is empty"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(dir + "many_errors.clnrm.toml:11:25: error: 'expected_output_regex': "
                             "invalid regular expression"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(dir + "many_errors.clnrm.toml:12:22: error: 'expected_exit_code' = 300 is "
                             "out of range (0..255)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(dir + "many_errors.clnrm.toml:13:11: error: service 'nope' does not exist"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("validated 3 files: 0 valid, 3 invalid (6 errors, 0 warnings)"),
            std::string::npos)
      << r.out;
}

TEST(CliValidateTest, MixOfValidAndInvalidPathsExitsOne) {
  CliRun r = clnrm("validate " + quote(kData + "/project/api.clnrm.toml") + " " +
                   quote(kData + "/broken/typo.clnrm.toml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("validated 2 files: 1 valid, 1 invalid"), std::string::npos) << r.out;
}

TEST(CliValidateTest, UsageErrorsExitTwo) {
  CliRun missing = clnrm("validate " + quote(kData + "/does-not-exist"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such file or directory"), std::string::npos) << missing.err;
  CliRun none = clnrm("validate");
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
  CliRun bad_format = clnrm("validate --format yaml " + quote(kData + "/project"));
  EXPECT_EQ(bad_format.exit_code, 2);
  TempDir empty;
  CliRun no_files = clnrm("validate " + quote(empty.path()));
  EXPECT_EQ(no_files.exit_code, 2);
  EXPECT_NE(no_files.err.find("no *.clnrm.toml files found"), std::string::npos) << no_files.err;
}

TEST(CliValidateTest, JsonFormat) {
  CliRun r =
      clnrm("validate --format json " + quote(kData + "/broken") + " " + quote(kData + "/project"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["summary"]["files"], 5);
  EXPECT_EQ(doc["summary"]["valid"], 2);
  EXPECT_EQ(doc["summary"]["invalid"], 3);
  EXPECT_EQ(doc["summary"]["errors"], 6);
  EXPECT_EQ(doc["summary"]["warnings"], 1);
  bool saw_typo = false;
  for (const auto& f : doc["files"]) {
    if (f["file"].get<std::string>().ends_with("typo.clnrm.toml")) {
      saw_typo = true;
      EXPECT_FALSE(f["valid"].get<bool>());
      ASSERT_EQ(f["diagnostics"].size(), 1u);
      EXPECT_EQ(f["diagnostics"][0]["severity"], "error");
      EXPECT_EQ(f["diagnostics"][0]["line"], 6);
      EXPECT_EQ(f["diagnostics"][0]["column"], 1);
      EXPECT_EQ(f["diagnostics"][0]["message"],
                "unknown key 'comand' in [[steps]] (did you mean 'command'?)");
    }
    if (f["file"].get<std::string>().ends_with("api.clnrm.toml")) {
      EXPECT_TRUE(f["valid"].get<bool>());
      EXPECT_EQ(f["name"], "api");
      EXPECT_EQ(f["steps"], 1);
    }
  }
  EXPECT_TRUE(saw_typo);
}

TEST(CliInitTest, WritesFilesThatValidateAndRefusesToOverwrite) {
  TempDir dir;
  CliRun r = clnrm("init --dir " + quote(dir.path()));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(fs::path(dir.path()) / "tests" / "basic.clnrm.toml"));
  ASSERT_TRUE(fs::exists(fs::path(dir.path()) / "cleanroom.toml"));
  CliRun v = clnrm("validate " + quote((fs::path(dir.path()) / "tests").string()));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("1 valid, 0 invalid (0 errors, 0 warnings)"), std::string::npos) << v.out;

  // Refuses to overwrite, leaving the user's edits alone.
  { std::ofstream(fs::path(dir.path()) / "cleanroom.toml") << "# mine\n"; }
  CliRun again = clnrm("init --dir " + quote(dir.path()));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists; use --force"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(fs::path(dir.path()) / "cleanroom.toml"), "# mine\n");

  CliRun forced = clnrm("init --force --dir " + quote(dir.path()));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(slurp(fs::path(dir.path()) / "cleanroom.toml").find("[defaults]"), std::string::npos);
}

// A dangling symbolic link in place of cleanroom.toml is something there:
// init neither follows it (creating the file it points to) nor replaces it.
TEST(CliInitTest, RefusesADanglingSymbolicLink) {
  TempDir dir;
  const fs::path outside = fs::path(dir.path()) / "outside.toml";
  fs::create_symlink(outside, fs::path(dir.path()) / "cleanroom.toml");
  CliRun r = clnrm("init --dir " + quote(dir.path()));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("already exists; use --force"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_TRUE(fs::is_symlink(fs::path(dir.path()) / "cleanroom.toml"));
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "tests" / "basic.clnrm.toml"));
}

TEST(CliPluginsTest, ListsRegisteredPlugins) {
  CliRun human = clnrm("plugins");
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("generic_container"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("process"), std::string::npos) << human.out;
  CliRun json = clnrm("plugins --format json");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  ASSERT_TRUE(doc.is_array());
  std::vector<std::string> names;
  for (const auto& p : doc) {
    names.push_back(p["name"]);
    EXPECT_FALSE(p["description"].get<std::string>().empty());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "process"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "generic_container"), names.end());
}

TEST(CliHelpTest, EverySubcommandHasHelp) {
  for (const char* sub : {"validate", "init", "plugins"}) {
    CliRun r = clnrm(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub << r.out;
  }
}

}  // namespace

namespace {

// Parallel parsing must not change the output: same bytes for -j1 and -j4.
TEST(CliValidateTest, OutputIsIdenticalForAnyJobCount) {
  const std::string paths = quote(kData + "/broken") + " " + quote(kData + "/project");
  CliRun one = clnrm("validate -v -j 1 " + paths);
  CliRun four = clnrm("validate -v -j 4 " + paths);
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(four.exit_code, 1);
  EXPECT_EQ(one.out, four.out);
  CliRun json_one = clnrm("validate --format json -j 1 " + paths);
  CliRun json_four = clnrm("validate --format json -j 4 " + paths);
  EXPECT_EQ(json_one.out, json_four.out);
}

}  // namespace

namespace {

TEST(CliValidateTest, StrictTurnsWarningsIntoFailures) {
  const std::string file = quote(kData + "/project/nested/deeper/upstream.clnrm.toml");
  EXPECT_EQ(clnrm("validate " + file).exit_code, 0);
  CliRun strict = clnrm("validate --strict " + file);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.out.find("0 valid, 1 invalid (0 errors, 1 warning)"), std::string::npos)
      << strict.out;
}

}  // namespace

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

// Runs argv directly on the host (no shell added), capturing both streams.
Outcome run_argv(const std::vector<std::string>& argv) {
  TempDir io;
  std::string cmd;
  for (const auto& a : argv) cmd += quote(a) + " ";
  cmd += ">" + quote((fs::path(io.path()) / "out").string()) + " 2>" + quote((fs::path(io.path()) / "err").string()) +
         " </dev/null";
  const int status = std::system(cmd.c_str());
  return Outcome{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(fs::path(io.path()) / "out"),
                 slurp(fs::path(io.path()) / "err")};
}

// The starter test must pass as written: run each step's command on the host
// and check it against the step's own expectations.
TEST(CliInitTest, StarterTestExpectationsHoldForItsCommands) {
  TempDir dir;
  ASSERT_EQ(clnrm("init --dir " + quote(dir.path())).exit_code, 0);
  clnrm::ParseResult r =
      clnrm::parse_test_file((fs::path(dir.path()) / "tests" / "basic.clnrm.toml").string());
  ASSERT_TRUE(r.ok());
  ASSERT_GE(r.spec->steps.size(), 3u);
  for (const clnrm::StepSpec& step : r.spec->steps) {
    SCOPED_TRACE(step.name);
    const Outcome o = run_argv(step.command);
    EXPECT_EQ(o.exit_code, step.expected_exit_code);
    if (step.expected_output_regex) {
      EXPECT_TRUE(step.expected_output_regex->search(o.out)) << o.out;
    }
    if (step.expected_output_regex_not) {
      EXPECT_FALSE(step.expected_output_regex_not->search(o.out)) << o.out;
    }
    if (step.expected_stderr_regex) {
      EXPECT_TRUE(step.expected_stderr_regex->search(o.err)) << o.err;
    }
  }
}

}  // namespace
