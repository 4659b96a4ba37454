// Migrating upstream clnrm files, as a user would: `validate` and `run` agree
// on every file (one verdict, one wording), `--upstream` turns keys upstream
// ignores into warnings, `--keep-going` runs the valid files of a directory
// and reports the invalid ones as errors in every report, and a directory run
// says what it skipped and which files share a test name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e/run_process.h"

namespace {

namespace fs = std::filesystem;
using namespace run_e2e;

const std::string kUpstream = source_path("tests/e2e/data/upstream");

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string passing_test(const std::string& name) {
  return "[test.metadata]\nname = \"" + name +
         "\"\n\n[[steps]]\nname = \"hello\"\ncommand = [\"echo\", \"hi\"]\n"
         "expected_output_regex = \"^hi\"\n";
}

// Upstream's own files (tests/e2e/data/upstream/README.md): without
// --upstream the keys upstream ignores are errors at file:line:col; with it
// they are warnings naming them; an upstream plugin stays an error.
TEST(CliUpstream, UpstreamFilesValidateWithAndWithoutTheFlag) {
  const Outcome strict = run_clnrm({"validate", kUpstream});
  EXPECT_EQ(strict.exit_code, 1) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("legitimate.clnrm.toml:8:1: error: unknown key 'hermetic' in "
                            "[test.metadata]"),
            std::string::npos)
      << strict.out;
  EXPECT_NE(strict.out.find("legitimate.clnrm.toml:13:1: error: unknown key 'environment' in "
                            "[services.alpine_test] (did you mean 'env'?)"),
            std::string::npos)
      << strict.out;
  EXPECT_NE(strict.out.find("validated 3 files: 1 valid, 2 invalid"), std::string::npos)
      << strict.out;

  const Outcome lenient = run_clnrm({"validate", "--upstream", kUpstream});
  EXPECT_EQ(lenient.exit_code, 1) << lenient.out << lenient.err;
  EXPECT_NE(lenient.out.find("legitimate.clnrm.toml:8:1: warning: unknown key 'hermetic' in "
                             "[test.metadata]"),
            std::string::npos)
      << lenient.out;
  EXPECT_NE(lenient.out.find("it is ignored (--upstream: upstream clnrm ignores keys it does "
                             "not know)"),
            std::string::npos)
      << lenient.out;
  EXPECT_NE(lenient.out.find("legitimate.clnrm.toml:42:2: warning: unknown key "
                             "'otel_expectations' in the test file"),
            std::string::npos)
      << lenient.out;
  EXPECT_NE(lenient.out.find("validated 3 files: 2 valid, 1 invalid"), std::string::npos)
      << lenient.out;
}

// A file `validate` refuses is refused by `run` with the same line: one
// verdict, one wording (before, validate warned and run failed the test).
TEST(CliUpstream, AnUpstreamPluginGetsOneVerdictInOneWording) {
  const std::string file = kUpstream + "/basic-connection.clnrm.toml";
  const std::string line = file +
                           ":15:8: error: service 'surrealdb': plugin 'surrealdb' is an upstream "
                           "clnrm plugin that clnrm does not implement: no service can be started "
                           "with it";
  const Outcome validate = run_clnrm({"validate", "--upstream", file});
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_NE(validate.out.find(line), std::string::npos) << validate.out;
  const Outcome run = run_clnrm({"run", "--no-history", "--upstream", file});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find(line), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was run"), std::string::npos) << run.err;
}

TEST(CliUpstream, KeepGoingRunsTheValidFilesAndReportsEachInvalidOneAsAnError) {
  TempDir dir;
  const std::string tests = dir.file("tests");
  write(tests + "/good.clnrm.toml", passing_test("good"));
  write(tests + "/also_good.clnrm.toml", passing_test("also_good"));
  write(tests + "/broken.clnrm.toml", passing_test("broken") + "retry_on_failure = true\n");

  // Without the flag: nothing runs, and the message says how to run the rest.
  const Outcome stop = run_clnrm({"run", "--no-history", tests});
  EXPECT_EQ(stop.exit_code, 2);
  EXPECT_EQ(stop.out.find("PASS"), std::string::npos) << stop.out;
  EXPECT_NE(stop.err.find("broken.clnrm.toml:8:1: error: unknown key 'retry_on_failure'"),
            std::string::npos)
      << stop.err;
  EXPECT_NE(stop.err.find("1 invalid test file; nothing was run (--keep-going runs the valid "
                          "ones"),
            std::string::npos)
      << stop.err;

  const std::string junit = dir.file("junit.xml");
  const std::string json = dir.file("report.json");
  const Outcome go =
      run_clnrm({"run", "--no-history", "--keep-going", "--junit", junit, "--json", json, tests});
  EXPECT_EQ(go.exit_code, 2) << "an invalid file is never a pass\n" << go.out << go.err;
  EXPECT_NE(go.out.find("PASS   good"), std::string::npos) << go.out;
  EXPECT_NE(go.out.find("PASS   also_good"), std::string::npos) << go.out;
  EXPECT_NE(go.out.find("ERROR  " + tests + "/broken.clnrm.toml"), std::string::npos) << go.out;
  EXPECT_NE(go.out.find("invalid test file, not run (1 error):"), std::string::npos) << go.out;
  EXPECT_NE(go.out.find("3 tests, 2 passed"), std::string::npos) << go.out;

  const std::string xml = read_file(junit);
  EXPECT_NE(xml.find("<error message=\"invalid test file, not run (1 error):"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("unknown key &apos;retry_on_failure&apos;"), std::string::npos) << xml;

  const nlohmann::json doc = nlohmann::json::parse(read_file(json));
  int errors = 0;
  for (const auto& t : doc["tests"]) {
    if (t["status"] != "error") continue;
    ++errors;
    EXPECT_EQ(t["file"], tests + "/broken.clnrm.toml");
    EXPECT_NE(t["message"].get<std::string>().find("broken.clnrm.toml:8:1: error: unknown key "
                                                   "'retry_on_failure'"),
              std::string::npos)
        << t.dump();
  }
  EXPECT_EQ(errors, 1) << doc.dump(2);

  // --upstream makes the ignored key a warning: everything runs and passes.
  const Outcome lenient = run_clnrm({"run", "--no-history", "--keep-going", "--upstream", tests});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out << lenient.err;
  EXPECT_NE(lenient.err.find("broken.clnrm.toml:8:1: warning: unknown key 'retry_on_failure'"),
            std::string::npos)
      << lenient.err;
  EXPECT_NE(lenient.out.find("PASS   broken"), std::string::npos) << lenient.out;
}

TEST(CliUpstream, ADirectoryRunSaysWhatItSkippedAndWhy) {
  TempDir dir;
  const std::string tests = dir.file("tests");
  write(tests + "/good.clnrm.toml", passing_test("good"));
  write(tests + "/failing/bad.clnrm.toml", passing_test("bad"));
  write(tests + "/ci.toml", "x = 1\n");
  write(tests + "/fixtures/data.json", "{}\n");

  const Outcome r = run_clnrm({"run", "--no-history", tests});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("clnrm: skipped " + tests + "/ci.toml: not named *.clnrm.toml"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("clnrm: skipped 1 test file under " + tests +
                       "/failing: a directory named `failing` holds tests that fail on purpose"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("clnrm: skipped 1 other file (not named *.clnrm.toml; -v lists them)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("1 test, 1 passed"), std::string::npos) << r.out;
}

TEST(CliUpstream, TestsSharingANameAreShownWithBothFilesAndPositions) {
  TempDir dir;
  const std::string tests = dir.file("tests");
  write(tests + "/a/smoke.clnrm.toml", passing_test("smoke"));
  write(tests + "/b/smoke.clnrm.toml", passing_test("smoke"));

  const Outcome run = run_clnrm({"run", "--no-history", tests});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.err.find("clnrm: warning: 2 tests are named 'smoke': " + tests +
                         "/a/smoke.clnrm.toml:2:8, " + tests + "/b/smoke.clnrm.toml:2:8"),
            std::string::npos)
      << run.err;

  // Each console line names the file too.
  EXPECT_NE(run.out.find("PASS   smoke (" + tests + "/a/smoke.clnrm.toml)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("PASS   smoke (" + tests + "/b/smoke.clnrm.toml)"), std::string::npos)
      << run.out;

  const Outcome validate = run_clnrm({"validate", tests});
  EXPECT_EQ(validate.exit_code, 0) << validate.out;
  EXPECT_NE(validate.out.find(tests +
                              "/a/smoke.clnrm.toml:2:8: warning: test name 'smoke' is "
                              "also used by " +
                              tests + "/b/smoke.clnrm.toml:2:8"),
            std::string::npos)
      << validate.out;
  EXPECT_NE(validate.out.find("2 valid, 0 invalid (0 errors, 2 warnings)"), std::string::npos)
      << validate.out;
  EXPECT_EQ(run_clnrm({"validate", "--strict", tests}).exit_code, 1);
}

}  // namespace
