// JUnit structure checks. The XML is also parsed by Python's
// xml.etree (a real, strict XML parser) to prove it is well-formed.
#include <clnrm/report.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "unit/report_fixtures.h"
#include "base/markup_escape.h"

namespace {

std::string run_python(const std::string& script, const std::string& xml) {
  char path[] = "/tmp/clnrm-junit-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << xml;
  const std::string cmd = "python3 -c '" + script + "' " + path;
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  ::unlink(path);
  return out;
}

}  // namespace

TEST(JunitReport, IsWellFormedAndHasTheExpectedElements) {
  const std::string xml = clnrm::run_result_to_junit(report_fixture::sample_run());
  const std::string script =
      "import sys, xml.etree.ElementTree as ET\n"
      "r = ET.parse(sys.argv[1]).getroot()\n"
      "print(r.tag, r.get(\"tests\"), r.get(\"failures\"), r.get(\"errors\"), r.get(\"skipped\"), "
      "r.get(\"time\"))\n"
      "for s in r.findall(\"testsuite\"):\n"
      "  print(\"suite\", s.get(\"name\"), s.get(\"tests\"), s.get(\"failures\"), "
      "s.get(\"errors\"), s.get(\"skipped\"))\n"
      "  for c in s.findall(\"testcase\"):\n"
      "    kids = \",\".join(k.tag for k in c)\n"
      "    print(\"case\", c.get(\"name\"), c.get(\"classname\"), c.get(\"time\"), kids)\n";
  const std::string out = run_python(script, xml);
  const std::string want =
      "testsuites 5 1 2 1 2.345\n"
      "suite examples/cli/hello.clnrm.toml 1 0 0 0\n"
      "case hello examples.cli.hello 12.346 system-out,system-err\n"
      "suite examples/failing/bad.clnrm.toml 1 1 0 0\n"
      "case bad <one> examples.failing.bad 0.500 failure,system-out,system-err\n"
      "suite examples/timeout.clnrm.toml 2 0 1 1\n"
      "case hangs examples.timeout 0.000 error\n"
      "case later examples.timeout 0.000 skipped\n"
      "suite examples/svc.clnrm.toml 1 0 1 0\n"
      "case svc examples.svc 0.000 error\n";
  EXPECT_EQ(out, want) << xml;
}

TEST(JunitReport, FailureCarriesMessageTypeAndDetails) {
  const std::string xml = clnrm::run_result_to_junit(report_fixture::sample_run());
  EXPECT_NE(xml.find("<failure message=\"step &apos;check&apos; ([grep x]) did not match /x/\" "
                     "type=\"AssertionFailed\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("| nope</failure>"), std::string::npos);
  EXPECT_NE(xml.find("type=\"Timeout\""), std::string::npos);
  EXPECT_NE(xml.find("last log lines"), std::string::npos)
      << "service messages are in the error body";
  EXPECT_NE(xml.find("hello &lt;world&gt; &amp; &quot;friends&quot;"), std::string::npos);
}

TEST(XmlEscape, ReplacesWhatXmlCannotCarry) {
  EXPECT_EQ(clnrm::xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  // A carriage return is kept as a character reference: an XML parser would normalise a literal one away.
  EXPECT_EQ(clnrm::xml_escape("a\r\nb"), "a&#13;\nb");
  EXPECT_EQ(clnrm::xml_escape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(clnrm::xml_escape(std::string("\x01", 1)), "\xEF\xBF\xBD");
  EXPECT_EQ(clnrm::xml_escape(std::string("\0", 1)), "\xEF\xBF\xBD");
  EXPECT_EQ(clnrm::xml_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(clnrm::xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(clnrm::xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong form";
  EXPECT_EQ(clnrm::xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")
      << "surrogate";
}

TEST(JunitReport, FlakyPassIsAPassedTestcaseWithProperties) {
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests.resize(1);
  run.tests[0].status = clnrm::Status::Passed;
  run.tests[0].attempts = 2;
  run.tests[0].flaky = true;
  run.tests[0].message = "flaky: passed on attempt 2 of 2; attempt 1 failed: boom";
  const std::string xml = clnrm::run_result_to_junit(run);
  EXPECT_NE(xml.find("<property name=\"flaky\" value=\"true\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"attempts\" value=\"2\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("attempt 1 failed: boom"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<error"), std::string::npos) << xml;
}

// Issue 14 item 4: service log tails of a failed test go to <system-err>.
TEST(JunitReport, ServiceLogTailsGoToSystemErr) {
  clnrm::RunResult run = report_fixture::sample_run();
  clnrm::TestResult& t = run.tests[1];  // failed
  clnrm::ServiceResult s;
  s.name = "api";
  s.log_captured = true;
  s.state = "running";
  s.log_tail = "Traceback (most recent call last):\nValueError: boom";
  t.services.push_back(s);
  const std::string xml = clnrm::run_result_to_junit(run);
  const auto err = xml.find("<system-err>", xml.find("name=\"bad &lt;one&gt;\""));
  ASSERT_NE(err, std::string::npos) << xml;
  const auto end = xml.find("</system-err>", err);
  const std::string body = xml.substr(err, end - err);
  EXPECT_NE(body.find("service &apos;api&apos; (running), the end of its output:"), std::string::npos)
      << body;
  EXPECT_NE(body.find("  | ValueError: boom"), std::string::npos) << body;
}

TEST(JunitReport, FlakyPassListsItsFailedAttemptInSystemErr) {
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests.resize(1);
  run.tests[0].status = clnrm::Status::Passed;
  run.tests[0].attempts = 2;
  run.tests[0].flaky = true;
  run.tests[0].failed_attempts.push_back({1, clnrm::Status::Failed, "m", "first try broke"});
  const std::string xml = clnrm::run_result_to_junit(run);
  EXPECT_NE(xml.find("== attempt 1 failed:\nfirst try broke"), std::string::npos) << xml;
}

// Issue 18: every tag of the file is a <property name="tag">, escaped.
TEST(JunitReport, TagsAreProperties) {
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests.resize(2);
  run.tests[0].tags = {"api", "a<b"};
  const std::string xml = clnrm::run_result_to_junit(run);
  EXPECT_NE(xml.find("<properties>\n        <property name=\"tag\" value=\"api\"/>\n"
                     "        <property name=\"tag\" value=\"a&lt;b\"/>\n      </properties>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("name=\"attempts\""), std::string::npos) << "tags alone add no attempts";
  EXPECT_EQ(xml.find("<properties>", xml.find("<testcase name=\"bad")), std::string::npos)
      << "a test without tags has no properties: " << xml;
}
