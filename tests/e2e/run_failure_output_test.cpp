// What a failed run tells its user, through the built binary (issue 14):
// a service's traceback in every report (item 4), every failed check of a
// step (item 12), a scenario's own timeout (item 12), report paths that
// cannot be written (item 12) and the JSON's exit_code then, the JSON "metrics" (item 11) and how `$`
// meets a final newline (item 11).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string data(const std::string& name) {
  return source_path("tests/e2e/data/failure_output/" + name + ".clnrm.toml");
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto a = text.find(open);
  if (a == std::string::npos) return {};
  const auto b = text.find(close, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// The traceback of `marker` is in the console, the JSON, JUnit's
// <system-err> and the HTML report of a run of `file`.
void expect_traceback_everywhere(const std::vector<std::string>& extra_args,
                                 const std::string& file, const std::string& marker) {
  TempDir dir;
  std::vector<std::string> args = {"run",    "--no-history",       "--json",
                                   dir.file("r.json"), "--junit", dir.file("r.xml"),
                                   "--html", dir.file("r.html")};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  args.push_back(file);
  const Outcome r = run_clnrm(args);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;

  EXPECT_NE(r.out.find("Traceback (most recent call last):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(marker), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("curl: (52) Empty reply from server"), std::string::npos) << r.out;

  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  EXPECT_EQ(t["status"], "failed");
  const std::string tail = t["services"][0]["log_tail"];
  EXPECT_NE(tail.find("Traceback (most recent call last):"), std::string::npos) << t;
  EXPECT_NE(tail.find(marker), std::string::npos) << t;
  EXPECT_EQ(t["services"][0]["state"], "running") << t;

  const std::string err = between(read_file(dir.file("r.xml")), "<system-err>", "</system-err>");
  EXPECT_NE(err.find("service &apos;api&apos; (running), the end of its output:"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(marker), std::string::npos) << err;

  const std::string html = read_file(dir.file("r.html"));
  EXPECT_NE(html.find("service api output"), std::string::npos);
  EXPECT_NE(html.find(marker), std::string::npos);
}

}  // namespace

TEST(FailureOutput, ServiceTracebackInConsoleJsonJunitAndHtmlOnTheSandbox) {
  expect_traceback_everywhere({}, data("crashing_service"), "ValueError: clnrm-crash-marker");
}

TEST(FailureOutput, ServiceTracebackInConsoleJsonJunitAndHtmlOnDocker) {
  expect_traceback_everywhere({"--backend", "docker"}, data("docker_crashing_service"),
                              "ValueError: clnrm-docker-crash-marker");
}

TEST(FailureOutput, ServiceOutputIsEscapedOnTheConsole) {
  const Outcome r = run_clnrm({"run", "--no-history", data("crashing_service")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("clnrm-crash-marker \\x1b[31mred"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no raw escape sequence reaches a terminal";
}

TEST(FailureOutput, AServiceThatCrashedShowsItExitedAndItsTraceback) {
  const Outcome r =
      run_clnrm({"run", "--no-history", "--format", "json", data("crashed_service_exits")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json s = json::parse(r.out)["tests"][0]["services"][0];
  EXPECT_EQ(s["state"], "exited (exit code 3)") << s;
  EXPECT_NE(s["log_tail"].get<std::string>().find("KeyError: clnrm-exit-marker"),
            std::string::npos)
      << s;
  EXPECT_NE(r.err.find("service 'worker' (exited (exit code 3)), the end of its output:"),
            std::string::npos)
      << r.err;
}

TEST(FailureOutput, APassingTestCarriesNoServiceLog) {
  const Outcome r = run_clnrm(
      {"run", "--no-history", "--format", "json", source_path("examples/redis_service.clnrm.toml")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json s = json::parse(r.out)["tests"][0]["services"][0];
  EXPECT_EQ(s["log_tail"], "");
  EXPECT_EQ(s["state"], "");
}

TEST(FailureOutput, KeepLogsWritesEveryServicesWholeOutputInsideTheDirectory) {
  TempDir dir;
  const Outcome r = run_clnrm({"run", "--no-history", "--keep-logs", dir.file("logs"),
                               data("crashing_service"),
                               source_path("examples/redis_service.clnrm.toml")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir.file("logs")))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), dir.file("logs")).string());
  ASSERT_EQ(files.size(), 2u) << "one file per test and service, passing tests included";
  std::string crash_log;
  for (const std::string& f : files) {
    EXPECT_EQ(f.find('/'), f.rfind('/')) << f << ": <test>/<service>.log";
    if (f.rfind("crashing_service-", 0) == 0) crash_log = read_file(dir.file("logs/" + f));
  }
  EXPECT_NE(crash_log.find("serving on :8000"), std::string::npos) << crash_log;
  EXPECT_NE(crash_log.find("ValueError: clnrm-crash-marker"), std::string::npos) << crash_log;
}

TEST(FailureOutput, KeepLogsDirectoryThatCannotBeCreatedIsAnErrorBeforeTheRun) {
  TempDir dir;
  std::ofstream(dir.file("plain")) << "x";
  const Outcome r = run_clnrm(
      {"run", "--no-history", "--keep-logs", dir.file("plain/logs"), data("crashing_service")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--keep-logs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir.file("plain/logs")), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("crashing_service"), std::string::npos) << "nothing ran";
}

TEST(FailureOutput, EveryFailedCheckOfAStepIsPrintedWithExpectedAndActual) {
  const Outcome r = run_clnrm({"run", "--no-history", data("all_failed_checks")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("failed 3 checks (exit_code, expected_output_regex, "
                       "expected_stderr_regex_not)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- exit_code: exited 2, expected exit code 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- expected_output_regex: stdout did not match /^ready$/"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- expected_stderr_regex_not: stderr matched /disk full/, which it must not"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| booting"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| disk full"), std::string::npos) << r.out;
}

TEST(FailureOutput, AScenarioTimeoutIsTheScenariosNamingIt) {
  const Outcome r = run_clnrm({"run", "--no-history", "--format", "json", data("scenario_timeout")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json t = json::parse(r.out)["tests"][0];
  EXPECT_EQ(t["status"], "timed_out");
  const std::string message = t["message"];
  EXPECT_NE(message.find("scenario 'slowpoke' timeout 300.0ms"), std::string::npos) << message;
  EXPECT_EQ(message.find("test's timeout"), std::string::npos) << message;
  EXPECT_NE(r.err.find("scenario 'slowpoke' timeout"), std::string::npos) << r.err;
}

TEST(FailureOutput, AnUnwritableReportPathIsAnErrorBeforeAnythingRuns) {
  TempDir dir;
  std::ofstream(dir.file("plain")) << "x";
  const std::string html = dir.file("plain/report.html");
  const Outcome r = run_clnrm({"run", "--no-history", "--html", html,
                               source_path("tests/e2e/data/progress/a_quick.clnrm.toml")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--html"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir.file("plain")), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("OK"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << "nothing ran: " << r.out;
}

// A report that cannot be written after the run fails it (exit 1), and the
// --json file (written last) and --format json say so too: they said
// exit_code 0 while the run exited 1.
TEST(FailureOutput, JsonExitCodeAgreesWhenAReportIsNotWritten) {
  TempDir dir;
  const std::string test = dir.file("reports.clnrm.toml");
  std::ofstream(test) << "[test.metadata]\nname = \"reports\"\n[[steps]]\nname = \"s\"\n"
                         "command = [\"true\"]\n[report]\njson = \"sub/a.json\"\n";
  std::ofstream(dir.file("blocked")) << "a file where the output directory should be";
  const Outcome r = run_clnrm({"run", "--no-history", "--format", "json", "--json",
                               dir.file("r.json"), "--output-dir", dir.file("blocked"), test});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("report not written: [report]"), std::string::npos) << r.err;
  EXPECT_EQ(json::parse(r.out)["exit_code"], 1) << r.out;
  std::ifstream in(dir.file("r.json"));
  const json file = json::parse(in);
  EXPECT_EQ(file["exit_code"], 1);
  EXPECT_EQ(file["summary"]["passed"], 1);
}

TEST(FailureOutput, JsonReportHasTheDocumentedMetrics) {
  const Outcome r = run_clnrm({"run", "--no-history", "--format", "json",
                               source_path("tests/e2e/data/progress/a_quick.clnrm.toml")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json m = json::parse(r.out)["metrics"];
  EXPECT_EQ(m["counters"]["tests_started"], 1) << m;
  EXPECT_EQ(m["counters"]["steps_run"], 1) << m;
  EXPECT_EQ(m["tests"].size(), 1u) << m;
}

TEST(FailureOutput, DollarMatchesBeforeOneFinalNewlineOnly) {
  const Outcome r = run_clnrm({"run", "--no-history", data("regex_final_newline")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}
