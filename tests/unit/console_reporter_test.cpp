#include <clnrm/report.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>
#include <unistd.h>

#include "unit/report_fixtures.h"

namespace {

std::string capture(clnrm::Verbosity v, bool colour) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, colour, v);
  const clnrm::RunResult run = report_fixture::sample_run();
  for (const auto& t : run.tests) r.test_finished(t);
  r.summary(run);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

}  // namespace

TEST(ConsoleReporter, OneLinePerTestWithStatusNameDuration) {
  const std::string out = capture(clnrm::Verbosity::Normal, false);
  EXPECT_NE(out.find("PASS   hello  (12.346s)"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL   bad <one>  (500.0ms)"), std::string::npos) << out;
  EXPECT_NE(
      out.find("      step 'check' ([grep x]) did not match /x/\n        actual stdout (tail):"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("TIME   hangs"), std::string::npos);
  EXPECT_NE(out.find("SKIP   later"), std::string::npos);
  EXPECT_NE(out.find("last log lines"), std::string::npos) << "service failures show their log";
  EXPECT_NE(
      out.find("FAILED: 5 tests, 1 passed, 1 failed, 1 errors, 1 timed out, 1 skipped in 2.345s"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("\x1b["), std::string::npos) << "no colour when not asked";
}

TEST(ConsoleReporter, QuietShowsOnlyFailuresAndSummary) {
  const std::string out = capture(clnrm::Verbosity::Quiet, false);
  EXPECT_EQ(out.find("PASS"), std::string::npos);
  EXPECT_NE(out.find("FAIL"), std::string::npos);
  EXPECT_NE(out.find("5 tests"), std::string::npos);
}

TEST(ConsoleReporter, VerboseListsSteps) {
  const std::string out = capture(clnrm::Verbosity::Verbose, false);
  EXPECT_NE(out.find("PASS  greet"), std::string::npos) << out;
}

TEST(ConsoleReporter, ColoursOnlyWhenAsked) {
  EXPECT_NE(capture(clnrm::Verbosity::Normal, true).find("\x1b[32m"), std::string::npos);
  std::FILE* f = std::tmpfile();
  EXPECT_FALSE(clnrm::colour_wanted(f)) << "a file is not a terminal";
  std::fclose(f);
}

TEST(ConsoleReporter, APassAfterARetryIsFlakyNeverAPlainPass) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Quiet);
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests.resize(1);
  clnrm::TestResult& t = run.tests[0];
  t.status = clnrm::Status::Passed;
  t.attempts = 2;
  t.flaky = true;
  t.repeat = 1;
  t.message = "flaky: passed on attempt 2 of 3; attempt 1 failed: boom";
  r.test_finished(t);  // shown even with --quiet
  r.summary(run);
  std::rewind(f);
  std::string out(8192, '\0');
  out.resize(std::fread(out.data(), 1, out.size(), f));
  std::fclose(f);
  EXPECT_NE(out.find("FLAKY  " + t.name + " #2"), std::string::npos) << out;
  EXPECT_NE(out.find("[2 attempts]"), std::string::npos) << out;
  EXPECT_NE(out.find("attempt 1 failed: boom"), std::string::npos) << out;
  EXPECT_EQ(out.find("PASS "), std::string::npos) << out;
  EXPECT_NE(out.find("1 flaky"), std::string::npos) << out;
}

namespace {

std::string print_one(const clnrm::TestResult& t, clnrm::Verbosity v) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, v);
  r.test_finished(t);
  std::rewind(f);
  std::string out(65536, '\0');
  out.resize(std::fread(out.data(), 1, out.size(), f));
  std::fclose(f);
  return out;
}

}  // namespace

TEST(ConsoleReporter, ControlCharactersInNamesAndMessagesAreEscaped) {
  // Names come from untrusted test files, messages carry program output.
  clnrm::TestResult t = report_fixture::sample_run().tests[1];
  t.name = "evil\nPASS   fake\x1b]0;title\x07\x1b[2J\x7f\xc2\x9b";
  t.steps.resize(1);
  t.steps[0].name = "step\r\x1b[1A";
  t.steps[0].status = clnrm::Status::Failed;
  t.steps[0].message = "line one\n\x1b[31mred\x1b[0m\tline two\r\n";
  t.services.clear();
  clnrm::ServiceResult s;
  s.name = "db\x1b[K";
  s.plugin = "generic\x00x";
  t.services.push_back(s);
  const std::string out = print_one(t, clnrm::Verbosity::Verbose);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x7f'), std::string::npos) << out;
  EXPECT_EQ(out.find("\xc2\x9b"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL   evil\\nPASS   fake\\x1b]0;title\\x07\\x1b[2J\\x7f\\u009b  ("),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("service db\\x1b[K (generic"), std::string::npos) << out;
  EXPECT_NE(out.find("step\\r\\x1b[1A"), std::string::npos) << out;
  // A multi-line message keeps its lines (and tabs), indented.
  EXPECT_NE(out.find("      line one\n      \\x1b[31mred\\x1b[0m\tline two\n"), std::string::npos)
      << out;
}

namespace {

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

}  // namespace

// Issue 14 item 5: [n/N] on every result line; START lines with --verbose
// when not on a terminal.
TEST(ConsoleReporter, ProgressCountsEveryResultLine) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Verbose);
  clnrm::RunResult run = report_fixture::sample_run();
  r.start_progress(run.tests.size(), /*live=*/false);
  r.test_started(run.tests[0].name, 0);
  r.test_finished(run.tests[0]);
  r.test_started(run.tests[1].name, 0);
  r.test_finished(run.tests[1]);
  r.stop_progress();
  const std::string out = read_all(f);
  std::fclose(f);
  EXPECT_NE(out.find("START  hello\n[1/5] PASS   hello"), std::string::npos) << out;
  EXPECT_NE(out.find("[2/5] FAIL   bad <one>"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << "no status line when not on a terminal";
}

TEST(ConsoleReporter, LiveStatusLineNamesRunningTestsAndIsClearedBeforeResults) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Normal);
  clnrm::RunResult run = report_fixture::sample_run();
  r.start_progress(2, /*live=*/true);
  r.test_started("hello", 0);
  r.test_started("evil\x1b[2J", 1);
  r.test_finished(run.tests[0]);
  r.stop_progress();
  const std::string out = read_all(f);
  std::fclose(f);
  EXPECT_NE(out.find("\r\x1b[K[0/2] running: hello (0s), evil\\x1b[2J (0s)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\r\x1b[K[1/2] PASS   hello"), std::string::npos) << out;
  EXPECT_NE(out.find("[1/2] running: evil\\x1b[2J"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 4), "\r\x1b[K") << "the status line is gone at the end";
}

TEST(ConsoleReporter, StillRunningLineAfterAQuietPeriodWhenNotOnATerminal) {
  char path[] = "/tmp/clnrm-console-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  std::FILE* f = ::fdopen(fd, "w");
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Normal);
  r.start_progress(1, /*live=*/false, std::chrono::milliseconds(1));
  r.test_started("slow one", 0);
  // Polls for the line the ticker writes and flushes (no duration is asserted).
  auto written = [&] {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string out;
  for (int i = 0; i < 600 && out.find("still running") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out = written();
  }
  r.stop_progress();
  std::fclose(f);
  ::unlink(path);
  EXPECT_NE(out.find("       still running: slow one ("), std::string::npos) << out;
  EXPECT_NE(out.find("[0/1 done]"), std::string::npos) << out;
}

TEST(ConsoleReporter, FailedTestShowsTheEndOfEachServicesOutputEscaped) {
  clnrm::TestResult t = report_fixture::sample_run().tests[1];
  clnrm::ServiceResult s;
  s.name = "api";
  s.log_captured = true;
  s.state = "exited (exit code 1)";
  s.log_tail = "Traceback (most recent call last):\n\x1b[31mValueError: boom";
  t.services.push_back(s);
  const std::string out = print_one(t, clnrm::Verbosity::Normal);
  EXPECT_NE(out.find("      service 'api' (exited (exit code 1)), the end of its output:\n"
                     "        | Traceback (most recent call last):\n"
                     "        | \\x1b[31mValueError: boom\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
}

TEST(ConsoleReporter, DeterminismFailureIsOneLinePerTestWithEachDifference) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Normal);
  clnrm::TestResult t = report_fixture::sample_run().tests[0];
  t.repeat = 1;
  r.determinism_failed(t, {"step 'clock': stdout differs at line 2", "step 'x': exit code"}, 3);
  const std::string out = read_all(f);
  std::fclose(f);
  EXPECT_NE(out.find("DIFFERS  hello  not deterministic over 3 repeats; counted as one failure "
                     "(repeat #2)\n      step 'clock': stdout differs at line 2\n"),
            std::string::npos)
      << out;
}

TEST(ConsoleReporter, AReportFileNotWrittenMakesTheVerdictFailed) {
  std::FILE* f = std::tmpfile();
  clnrm::ConsoleReporter r(f, false, clnrm::Verbosity::Normal);
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests.resize(1);
  r.summary(run, 1);
  const std::string out = read_all(f);
  std::fclose(f);
  EXPECT_NE(out.find("FAILED: 1 test, 1 passed, 1 report file not written"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("OK"), std::string::npos) << out;
}
