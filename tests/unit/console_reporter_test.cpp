#include <clnrm/report.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

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
